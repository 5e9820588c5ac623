#!/usr/bin/env bash
# Installs the Debian packages dl4c needs to build and test (and, with
# --bench, the peers its benchmarks compare against). Packages already
# installed are left alone, so this is quick to run again.
set -euo pipefail

packages=(
    cmake make gcc pkg-config
    libopenblas-openmp-dev # BLAS built on OpenMP: shares dl4c's thread pool
    libjansson-dev         # JSON configs and metadata
    zlib1g-dev             # gzip'd IDX files, CRC-32 of model files
    libcurl4-gnutls-dev    # dataset downloads
    nettle-dev             # SHA-256 of datasets and model files
    libsqlite3-dev         # the dataset and model store
    libpng-dev             # PNG images
    libjpeg62-turbo-dev    # JPEG images
    libmicrohttpd-dev      # the model server's HTTP layer
    libgnutls28-dev        # TLS for the model server
    libhdf5-dev            # Keras .h5 model files
    libzip-dev             # Keras 3 .keras archives
    curl                   # tests: requests to the model server
    wrk                    # tests and benchmarks: load on the model server
    prometheus             # tests: promtool checks the server's /metrics
    gnutls-bin             # tests: certtool makes TLS certificates
    chromium               # tests: the data report opened in a headless browser
    python3-numpy          # tests: NumPy reference implementations (Keras
    python3-h5py           #   layers without a Keras-made reference file)
)
if [[ "${1:-}" == "--bench" ]]; then
    packages+=(python3 python3-torch python3-pil)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
    "${sudo_cmd[@]}" apt-get update
    "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
