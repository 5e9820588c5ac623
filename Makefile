# The two commands of the README:
#   make demo   installs what is missing, builds, and runs the end-to-end demo
#   make test   installs what is missing, builds, and runs the whole test
#               suite: the release build (slow tests included) and the
#               sanitizer build (-fsanitize=address,undefined), which skips
#               the tests labelled heavy (long accuracy runs)
# Other targets: build, bench, format, clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-release test-asan bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DDL4C_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	scripts/demo.sh $(BUILD)/dl4c

test: test-release test-asan

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 900

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDL4C_SANITIZE=ON -DDL4C_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS) -LE heavy --timeout 900

bench: build
	@scripts/install-deps.sh --bench
	bench/run.sh $(BUILD)
	bench/run_data.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
