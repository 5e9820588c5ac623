#!/usr/bin/env bash
# labels: cli conformance
# The corpus' ConvLSTM2D models (channels_first, same and valid padding,
# go_backwards, plain and under Bidirectional) have no Keras-made
# reference file: dl4c's predictions are compared with an independent
# NumPy implementation of Keras' semantics (tests/reference/
# keras_convlstm.py) on seeded random inputs, within 1e-5.
dl4c=$1
source "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
corpus=${DL4C_SHARED_DIR:-../shared}/conformance/keras/konduit_tfkeras
if [[ ! -d $corpus ]]; then
    echo "SKIP: $corpus absent"
    exit 77
fi
if ! "$py" -c 'import numpy, h5py' 2>/dev/null; then
    echo "SKIP: $py lacks numpy or h5py (scripts/install-deps.sh installs them)"
    exit 77
fi

"$py" -c "import numpy as np; np.random.seed(3)
np.save('$tmp/in.npy', np.random.randn(2, 3, 4, 10, 10).astype(np.float32))"
for m in convlstm2d_0 convlstm2d_1 convlstm2d_8 convlstm2d_9; do
    mkdir -p "$tmp/$m"
    expect 0 "" -- "$dl4c" predict --model "$corpus/$m.h5" --input "$tmp/in.npy" \
        --output-dir "$tmp/$m"
    expect 0 "$m.h5: max |dl4c - reference|" -- "$py" \
        tests/reference/keras_convlstm.py "$corpus/$m.h5" "$tmp/in.npy" \
        "$tmp/$m/output_0.npy"
done
# the comparison fails when an output is off by 1e-4
"$py" -c "import numpy as np; a = np.load('$tmp/convlstm2d_1/output_0.npy')
a.flat[7] += 1e-4; np.save('$tmp/off.npy', a)"
expect 1 "max |dl4c - reference| = 0.0001" -- "$py" tests/reference/keras_convlstm.py \
    "$corpus/convlstm2d_1.h5" "$tmp/in.npy" "$tmp/off.npy"
finish
