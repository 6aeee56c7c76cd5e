"""Every optimizer and option, once: the shared table of the optimizer tests.

``CONFIGURATIONS`` maps a readable name to a function that makes the optimizer. The tests of
allocation, blocked updates, the base class's behaviour and checkpoints run over it (or over
the part they need, chosen by a property, never by a copied list), so a new optimizer or
option added here is checked by all of them.
"""

from nnlite import (
    Optimizer_Adadelta,
    Optimizer_Adafactor,
    Optimizer_Adagrad,
    Optimizer_Adam,
    Optimizer_Adamax,
    Optimizer_AdamW,
    Optimizer_ASGD,
    Optimizer_Lion,
    Optimizer_Muon,
    Optimizer_NAdam,
    Optimizer_RAdam,
    Optimizer_RMSprop,
    Optimizer_Rprop,
    Optimizer_SGD,
)

CONFIGURATIONS = {
    "sgd": lambda: Optimizer_SGD(0.1),
    "sgd decay, momentum": lambda: Optimizer_SGD(0.1, decay=0.01, momentum=0.9),
    "sgd dampening": lambda: Optimizer_SGD(0.1, momentum=0.9, dampening=0.5),
    "sgd nesterov": lambda: Optimizer_SGD(0.1, momentum=0.9, nesterov=True),
    "sgd torch form, nesterov": lambda: Optimizer_SGD(
        0.1, momentum=0.9, nesterov=True, momentum_form="torch"
    ),
    "adagrad": lambda: Optimizer_Adagrad(0.1),
    "adagrad lr_decay, initial accumulator": lambda: Optimizer_Adagrad(
        0.1, lr_decay=0.01, initial_accumulator_value=0.1
    ),
    "rmsprop": lambda: Optimizer_RMSprop(0.01),
    "rmsprop centered": lambda: Optimizer_RMSprop(0.01, centered=True),
    "rmsprop momentum": lambda: Optimizer_RMSprop(0.01, momentum=0.9),
    "rmsprop centered, momentum": lambda: Optimizer_RMSprop(0.01, momentum=0.9, centered=True),
    "adam": lambda: Optimizer_Adam(0.01),
    "adam amsgrad": lambda: Optimizer_Adam(0.01, amsgrad=True),
    "adam decoupled": lambda: Optimizer_Adam(0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "adamw": lambda: Optimizer_AdamW(0.01),
    "adadelta": lambda: Optimizer_Adadelta(),
    "adamax": lambda: Optimizer_Adamax(),
    "nadam": lambda: Optimizer_NAdam(),
    "nadam decoupled": lambda: Optimizer_NAdam(weight_decay=0.1, decoupled_weight_decay=True),
    "radam": lambda: Optimizer_RAdam(),
    "radam decoupled": lambda: Optimizer_RAdam(weight_decay=0.1, decoupled_weight_decay=True),
    "asgd averaging from t0 = 3": lambda: Optimizer_ASGD(0.01, t0=3),
    "rprop": lambda: Optimizer_Rprop(),
    "adafactor": lambda: Optimizer_Adafactor(),
    "adafactor weight_decay": lambda: Optimizer_Adafactor(weight_decay=0.1),
    "lion": lambda: Optimizer_Lion(0.01, weight_decay=0.1),
    "muon, tall weights": lambda: Optimizer_Muon(0.02),
    "muon, wide weights": lambda: Optimizer_Muon(0.02),
    # The base's gradient options, on top of a rule
    "weight_decay (coupled)": lambda: Optimizer_Adam(0.01, weight_decay=0.1),
    "l1_decay": lambda: Optimizer_SGD(0.1, momentum=0.9, l1_decay=0.01),
    "maximize": lambda: Optimizer_RMSprop(0.01, maximize=True),
    "clip_value": lambda: Optimizer_Adam(0.01, clip_value=0.5),
    "clip_norm": lambda: Optimizer_NAdam(clip_norm=1.0),
    "global_clip_norm": lambda: Optimizer_SGD(0.1, momentum=0.9, global_clip_norm=1.0),
    "every option": lambda: Optimizer_Adam(
        0.01,
        decay=0.01,
        weight_decay=0.1,
        l1_decay=0.01,
        maximize=True,
        clip_value=0.5,
        clip_norm=1.0,
        global_clip_norm=1.0,
    ),
    "rprop weight_decay, l1_decay, maximize": lambda: Optimizer_Rprop(
        weight_decay=0.1, l1_decay=0.01, maximize=True
    ),
}
