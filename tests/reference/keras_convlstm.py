#!/usr/bin/python3
"""An independent NumPy implementation of Keras' ConvLSTM2D (and
Bidirectional around it) for the corpus models that have no Keras-made
reference: reads the architecture and weights from the .h5 file, runs the
input through them in float64 and compares with dl4c's output.

    keras_convlstm.py MODEL.h5 INPUT.npy DL4C_OUTPUT.npy [TOLERANCE]

Keras semantics used: kernels HWIO, gates in the order i, f, c, o; the
input convolution takes the layer's padding, the recurrent one always
'same'; hard_sigmoid is clip(0.2 x + 0.5, 0, 1); with go_backwards the
steps run last to first and return_sequences gives them in that order;
Bidirectional runs a copy with go_backwards flipped, reverses its
sequence back and concatenates along the last axis. Exits 1 when the
largest difference exceeds the tolerance (default 1e-5)."""
import json
import sys

import h5py
import numpy as np

ACT = {'tanh': np.tanh, 'hard_sigmoid': lambda x: np.clip(0.2 * x + 0.5, 0, 1),
       'sigmoid': lambda x: 1 / (1 + np.exp(-x)), 'relu': lambda x: np.maximum(x, 0),
       'linear': lambda x: x}


def conv(x, k, same):
    """x [C, H, W], k [kh, kw, C, F], stride 1, dilation 1 -> [F, H', W']."""
    kh, kw = k.shape[:2]
    if same:
        x = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)))
    h, w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((k.shape[3], h, w))
    for dy in range(kh):
        for dx in range(kw):
            out += np.einsum('chw,cf->fhw', x[:, dy:dy + h, dx:dx + w], k[dy, dx])
    return out


def convlstm(xs, cfg, weights, backwards):
    """xs [T, C, H, W] (channels first) -> [T', F, H', W'] or [F, H', W']."""
    kern, rec = weights[0], weights[1]
    bias = weights[2] if cfg.get('use_bias', True) else np.zeros(kern.shape[3])
    f = kern.shape[3] // 4
    act, rec_act = ACT[cfg['activation']], ACT[cfg['recurrent_activation']]
    same = cfg['padding'] == 'same'
    steps = range(len(xs) - 1, -1, -1) if backwards else range(len(xs))
    h = c = None
    outs = []
    for t in steps:
        z = conv(xs[t], kern, same) + bias[:, None, None]
        if h is None:
            h = np.zeros((f,) + z.shape[1:])
            c = np.zeros_like(h)
        z += conv(h, rec, True)
        i, fg = rec_act(z[:f]), rec_act(z[f:2 * f])
        g, o = act(z[2 * f:3 * f]), rec_act(z[3 * f:])
        c = fg * c + i * g
        h = o * act(c)
        outs.append(h)
    return np.stack(outs) if cfg['return_sequences'] else outs[-1]


def layer_weights(group, names):
    return [np.array(group[n], dtype=np.float64) for n in names]


def run_layer(layer, weights_root, x):
    """x: one example, [T, C, H, W] channels first."""
    cls, cfg = layer['class_name'], layer['config']
    group = weights_root[cfg['name']]
    names = [n.decode() if isinstance(n, bytes) else n
             for n in group.attrs['weight_names']]
    w = layer_weights(group, names)
    if cls == 'ConvLSTM2D':
        inner = cfg
        fw, bw = w, None
    elif cls == 'Bidirectional' and cfg['layer']['class_name'] == 'ConvLSTM2D':
        inner = cfg['layer']['config']
        half = len(w) // 2
        fw, bw = w[:half], w[half:]
    else:
        raise SystemExit('reference: no implementation of %s' % cls)
    if inner.get('data_format') != 'channels_first':
        x = np.transpose(x, (0, 3, 1, 2))  # [T, H, W, C] -> [T, C, H, W]
    if any(s != 1 for s in inner.get('strides', [1, 1]) +
           inner.get('dilation_rate', [1, 1])):
        raise SystemExit('reference: strides and dilation other than 1')
    y = convlstm(x, inner, fw, inner['go_backwards'])
    if bw is not None:
        yb = convlstm(x, inner, bw, not inner['go_backwards'])
        if inner['return_sequences']:
            yb = yb[::-1]
        mode = cfg.get('merge_mode', 'concat')
        if mode != 'concat':
            raise SystemExit('reference: merge_mode %s' % mode)
        y = np.concatenate([y, yb], axis=-1)
    if inner.get('data_format') != 'channels_first':
        y = np.moveaxis(y, -3, -1)
    return y


def main():
    model, inp, got = sys.argv[1], sys.argv[2], sys.argv[3]
    tol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5
    f = h5py.File(model, 'r')
    config = json.loads(f.attrs['model_config'])
    layers = [l for l in config['config']['layers']
              if l['class_name'] != 'InputLayer']
    x = np.load(inp).astype(np.float64)
    ref = []
    for example in x:
        y = example
        for layer in layers:
            y = run_layer(layer, f['model_weights'], y)
        ref.append(y)
    ref = np.stack(ref)
    out = np.load(got)
    if out.shape != ref.shape:
        print('%s: dl4c gives %s, the reference %s' % (model, out.shape, ref.shape))
        return 1
    diff = float(np.abs(out - ref).max())
    print('%s: max |dl4c - reference| = %.3g over %d values (max |ref| %.3g)'
          % (model, diff, ref.size, float(np.abs(ref).max())))
    return 0 if diff <= tol else 1


if __name__ == '__main__':
    sys.exit(main())
