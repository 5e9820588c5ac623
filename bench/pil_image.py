#!/usr/bin/python3
"""The peer of bench_image: images decoded and resized per second with
Python's PIL (Debian python3-pil), THREADS worker threads (PIL releases the
GIL while decoding and resizing), each image opened from its file,
converted to gray or RGB, resized (BILINEAR: PIL's antialiased bilinear
filter, or BOX: area averaging) and made a float32 array, as a training
pipeline would.
    pil_image.py bilinear|area H W C REPEAT THREADS FILE..."""
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image


def main():
    mode, h, w, c, repeat, threads = sys.argv[1:7]
    files = sys.argv[7:] * int(repeat)
    h, w, c = int(h), int(w), int(c)
    flt = Image.BILINEAR if mode == "bilinear" else Image.BOX
    conv = "L" if c == 1 else "RGB"

    def load(path):
        with Image.open(path) as im:
            im = im.convert(conv).resize((w, h), flt)
            return np.asarray(im, dtype=np.float32)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(int(threads)) as ex:
        checksum = sum(float(a[0, 0] if a.ndim == 2 else a[0, 0, 0])
                       for a in ex.map(load, files, chunksize=16))
    dt = time.perf_counter() - t0
    print("%.1f" % (len(files) / dt))
    print("(checksum %g)" % checksum, file=sys.stderr)


if __name__ == "__main__":
    main()
