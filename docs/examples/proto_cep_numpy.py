#!/usr/bin/env python3
"""proto_cep_numpy.py -- the numpy walk-through of docs/vectors.md.

An independent implementation of the prototypical model's free phase and
C-EP second phase (spec/model.md: F.P, FREE.0-1, NUDGE.1-3, NORM.1, NUDGE.2,
CEP.1-2), written with numpy and nothing from cep, checked against the
golden vectors:

    python3 docs/examples/proto_cep_numpy.py vectors/v1/traj build/np
    build/cep check vectors/v1/traj build/np --case 'traj-proto-*' \\
        --quantity 'free_s,cep_*'

Sums run left to right from the first term (np.add.accumulate), as
spec/model.md (ORD.1) asks; numpy's own np.sum and the @ operator sum in
another order (pairwise, or BLAS), which moves results by a few ulps: the
manifest's binary64 budget allows for that too.
"""
import json
import os
import sys

import numpy as np


def row_sums(W, x):
    """(W x)_i summed over j in increasing order (ORD.1)."""
    return np.add.accumulate(W * x[None, :], axis=1)[:, -1]


def col_sums(W, v):
    """(W^T v)_j summed over i in increasing order (ORD.1)."""
    return np.add.accumulate(W * v[:, None], axis=0)[-1, :]


def rho(act, u):
    if act == "tanh":                      # (ACT.1)
        return np.tanh(u)
    if act == "sigmoid4":                  # (ACT.2)
        return 1.0 / (1.0 + np.exp(-4.0 * (u - 0.5)))
    if act == "hardsigmoid":               # (ACT.3)
        return np.where(u < 0.0, 0.0, np.where(u > 1.0, 1.0, u))
    if act == "identity":                  # (ACT.4)
        return u.copy()
    raise SystemExit(f"unknown activation {act}")


class Net:
    """Offsets of the flat state and parameter vectors (LAYOUT.1-2)."""

    def __init__(self, sizes):
        self.n = sizes
        self.N = len(sizes) - 1
        self.s_off, self.W_off, self.b_off = [0] * (self.N + 2), [0] * (self.N + 1), [0] * (self.N + 1)
        s = p = 0
        for l in range(1, self.N + 1):
            self.s_off[l] = s
            s += sizes[l]
            self.W_off[l] = p
            p += sizes[l] * sizes[l - 1]
            self.b_off[l] = p
            p += sizes[l]
        self.S, self.P = s, p

    def layer(self, s, l):
        return s[self.s_off[l]:self.s_off[l] + self.n[l]]

    def W(self, th, l):
        return th[self.W_off[l]:self.b_off[l]].reshape(self.n[l], self.n[l - 1])

    def b(self, th, l):
        return th[self.b_off[l]:self.b_off[l] + self.n[l]]


def F(net, act, th, x, s):
    """The prototypical transition (F.P): rho(W_l s_{l-1} + b_l + W_{l+1}^T s_{l+1})."""
    out = np.empty_like(s)
    for l in range(1, net.N + 1):
        below = x if l == 1 else net.layer(s, l - 1)
        h = row_sums(net.W(th, l), below) + net.b(th, l)          # (ORD.2)
        if l < net.N:
            h = h + col_sums(net.W(th, l + 1), net.layer(s, l + 1))
        out[net.s_off[l]:net.s_off[l] + net.n[l]] = rho(act, h)
    return out


def G(net, x, s):
    """dPhi/dtheta of the prototypical model (G.P): s_l s_{l-1}^T and s_l."""
    g = np.empty(net.P)
    for l in range(1, net.N + 1):
        below = x if l == 1 else net.layer(s, l - 1)
        sl = net.layer(s, l)
        g[net.W_off[l]:net.b_off[l]] = np.outer(sl, below).ravel()
        g[net.b_off[l]:net.b_off[l] + net.n[l]] = sl
    return g


def run_case(suite, out, case):
    cid = case["id"]
    net = Net(case["sizes"])
    act, T, K, beta = case["activation"], case["T"], case["K"], case["beta"]
    load = lambda name: np.load(os.path.join(suite, cid, "inputs", name + ".npy")).astype(np.float64)
    x, y, th = load("x"), load("y"), load("theta0")
    eta = np.empty(net.P)
    for l in range(1, net.N + 1):
        eta[net.W_off[l]:net.b_off[l] + net.n[l]] = case["eta"][l - 1]

    free = np.zeros((T + 1, net.S))                                # (FREE.0)
    for t in range(T):
        free[t + 1] = F(net, act, th, x, free[t])                  # (FREE.1)

    cs, cth = np.zeros((K + 1, net.S)), np.zeros((K + 1, net.P))
    ds, dth = np.zeros((K, net.S)), np.zeros((K, net.P))
    cs[0], cth[0] = free[T], th                                    # (NUDGE.3)
    out_lo = net.s_off[net.N]
    g_k = G(net, x, cs[0])
    for k in range(K):
        nxt = F(net, act, cth[k], x, cs[k])
        nxt[out_lo:] = nxt[out_lo:] - beta * (cs[k][out_lo:] - y)  # (NUDGE.1)
        cs[k + 1] = nxt
        ds[k] = (cs[k + 1] - cs[k]) / beta                         # (NORM.1)
        g_next = G(net, x, cs[k + 1])
        dth[k] = (g_next - g_k) / beta                             # (NUDGE.2)
        cth[k + 1] = cth[k] + eta * dth[k]                         # (CEP.1)
        g_k = g_next
    total = np.add.accumulate(np.vstack([np.zeros(net.P), dth]), axis=0)[-1]  # (CEP.2)

    d = os.path.join(out, cid)
    os.makedirs(d, exist_ok=True)
    for name, arr in (("free_s", free), ("cep_s", cs), ("cep_theta", cth),
                      ("cep_delta_s", ds), ("cep_delta_theta", dth), ("cep_total", total)):
        np.save(os.path.join(d, name + ".npy"), arr)


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: proto_cep_numpy.py SUITE RESULTS")
    suite, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(suite, "manifest.json")) as f:
        manifest = json.load(f)
    n = 0
    for case in manifest["cases"]:
        if case["kind"] == "trajectory" and case["model"] == "prototypical":
            run_case(suite, out, case)
            n += 1
    print(f"proto_cep_numpy: {n} case(s) written to {out}")


if __name__ == "__main__":
    main()
