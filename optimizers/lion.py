"""Lion (EvoLved Sign Momentum): Chen et al. 2023, "Symbolic Discovery of Optimization
Algorithms" (arXiv:2302.06675), Algorithm 2 — the paper's rule, element-wise."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import validation as check
from .rules import Optimizer, rows

Array = np.ndarray


class LionState(NamedTuple):
    step: int
    exp_avg: Array


def lion(*, lr: float = 1e-4, betas=(0.9, 0.99), weight_decay: float = 0.0) -> Optimizer:
    """Lion (Chen et al. 2023). With g = ∇f(θ), m₀ = 0, λ = weight_decay:

        c ← β₁·m + (1 − β₁)·g
        θ ← θ − lr·(sign(c) + λ·θ)
        m ← β₂·m + (1 − β₂)·g

    Every coordinate moves by exactly lr (plus the decay) whatever the gradient's size:
    only the sign of the interpolated momentum c is used (sign(0) = 0: no move). The
    paper's defaults: lr = 1e-4, β = (0.9, 0.99), λ = 0.
    """
    lr = check.learning_rate(lr)
    beta1, beta2 = check.betas(betas)
    weight_decay = check.non_negative("weight_decay", weight_decay)
    lr_ = rows(lr)

    def init(params: Array) -> LionState:
        check.per_particle(lr, params)
        return LionState(0, np.zeros_like(params, dtype=float))

    def update(params: Array, grads: Array, state: LionState):
        m = state.exp_avg
        c = beta1 * m + (1.0 - beta1) * grads
        direction = np.sign(c) + weight_decay * params if weight_decay else np.sign(c)
        params = params - lr_ * direction
        return params, LionState(state.step + 1, beta2 * m + (1.0 - beta2) * grads)

    hp = dict(lr=lr, betas=(beta1, beta2), weight_decay=weight_decay)
    return Optimizer("lion", hp, init, update)
