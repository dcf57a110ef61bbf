"""Neural-network building blocks (as torch.nn): Module, Linear, Sequential, MLP, Dropout, BatchNorm1d,
activations, losses, init.

>>> import numpy as np
>>> from gradviz import Tensor, nn
>>> nn.manual_seed(0)
>>> model = nn.MLP(2, [8, 1])
>>> X, y = Tensor(np.array([[0.0, 1.0], [1.0, 0.0]])), Tensor(np.array([[1.0], [0.0]]))
>>> loss = nn.MSELoss()(model(X), y)
>>> loss.backward()
>>> model[0].weight.grad.shape
(8, 2)
"""

from __future__ import annotations

from . import init, scalar, utils
from .activations import (
    ACTIVATIONS,
    Identity,
    LeakyReLU,
    LogSoftmax,
    OpActivation,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    activation_names,
    get_activation,
    identity,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from .batchnorm import BatchNorm1d
from .dropout import Dropout
from .init import manual_seed
from .layers import MLP, Flatten, Linear, Sequential
from .losses import (
    LOSSES,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    L1Loss,
    MAELoss,
    MSELoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    get_loss,
    hinge_loss,
    l1_loss,
    l1_penalty,
    l2_penalty,
    mae_loss,
    mse_loss,
)
from .module import Module, Parameter, count_parameters, layer_label
from .record import record_step
from .scalar import MLP as ScalarMLP
from .scalar import Layer, Neuron

__all__ = [
    "Module",
    "Parameter",
    "count_parameters",
    "layer_label",
    "record_step",
    "Linear",
    "Flatten",
    "Sequential",
    "MLP",
    "Dropout",
    "BatchNorm1d",
    "Neuron",
    "Layer",
    "ScalarMLP",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "LeakyReLU",
    "Softmax",
    "LogSoftmax",
    "Identity",
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "softmax",
    "log_softmax",
    "identity",
    "ACTIVATIONS",
    "get_activation",
    "activation_names",
    "OpActivation",
    "MSELoss",
    "L1Loss",
    "MAELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HingeLoss",
    "mse_loss",
    "l1_loss",
    "mae_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l1_penalty",
    "l2_penalty",
    "LOSSES",
    "get_loss",
    "manual_seed",
    "init",
    "scalar",
    "utils",
]
