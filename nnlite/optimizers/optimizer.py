"""Optimizer: the book's three hooks, shared by every optimizer in nnlite.

A training step calls, as in the book::

    optimizer.pre_update_params()       # learning-rate decay or schedule
    optimizer.update_params(dense1)     # one call per trainable layer
    optimizer.update_params(dense2)
    optimizer.post_update_params()      # iterations += 1

or ``optimizer.step([dense1, dense2])`` for the three at once.

An optimizer (``adam.py``, ``sgd.py``, ...) names the arrays it keeps per parameter
(``state_names``: Adam's ``("momentums", "cache")`` become ``layer.weight_momentums``,
``layer.weight_cache``, ``layer.bias_momentums`` and ``layer.bias_cache``) and writes its rule
for one array in ``update_rule``, in place. This class does the rest the same way for all:

* the learning rate: the book's ``decay`` (``lr · 1/(1 + decay · iterations)``) or a
  :class:`~nnlite.schedules.Schedule` (``pre_update_params``);
* per-layer hyperparameters (``add_param_group``, see ``param_groups.py``);
* the gradient options: ``maximize``, clipping, L2 ``weight_decay`` and ``l1_decay``
  (``gradient_options.py``);
* the state on the layer and the speed machinery (``engine/``: prepared updates, work arrays,
  blocks on threads, compiled rules), which a reader of the rules may skip.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np

from nnlite.optimizers import gradient_options, hyperparameter_checks, param_groups
from nnlite.optimizers.engine import compiled, plans, saved_state
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.param_groups import GROUP_SELECTORS, DefaultGroup, MergedGroup
from nnlite.parameters import ParameterSpec, describe, trainable_parameters
from nnlite.schedules.base import Schedule
from nnlite.validation import check_bool

#: Set while a throwaway optimizer is built to check settings (its own assignments are not
#: checked again)
_checking = threading.local()


class Optimizer:
    """Base class of the optimizers; see the module docstring for what it provides."""

    #: State arrays kept per parameter, on the layer as ``weight_<name>`` and ``bias_<name>``
    state_names: tuple[str, ...] = ()
    #: Work arrays per parameter that ``update_rule`` may use freely (``update.scratch``)
    scratch_count: int = 0
    #: State updated in place (``cache += g²``), which keeps the parameter's dtype as in the
    #: book; every other state array takes the dtype of ``parameter op gradient``.
    in_place_states: tuple[str, ...] = ()
    #: The rule treats every element on its own and keeps no running scalars, so a large
    #: parameter may be updated a block at a time, on several threads (see blocks.py)
    elementwise: bool = False
    #: The compiled form of the rule that ``fused=True`` runs (engine/compiled.py), if any
    fused_rule: str | None = None
    #: The shared options this optimizer takes as ``**options`` (gradient_options.py)
    gradient_options: tuple[str, ...] = tuple(gradient_options.OPTIONS)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give an optimizer whose constructor takes ``**options`` the shared options in its
        signature (``help()`` and ``inspect.signature`` list them) and in its docstring."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return
        signature = inspect.signature(init)
        own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        if len(own) == len(signature.parameters):
            return  # no **options: the constructor lists everything itself
        explicit = {p.name for p in own}
        shared = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
            for name, (default, _) in gradient_options.OPTIONS.items()
            if name in cls.gradient_options and name not in explicit
        ]
        init.__signature__ = signature.replace(parameters=[*own, *shared])
        if cls.__doc__:
            cls.__doc__ += gradient_options.documented(cls.gradient_options, explicit)

    def __init__(
        self,
        *,
        learning_rate: float | Schedule,
        decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        hyperparameters: dict[str, Any] | None = None,
        options: gradient_options.GradientOptions | None = None,
    ) -> None:
        """``hyperparameters``: the optimizer's own (``{"beta_1": 0.9, ...}``); ``options``:
        the shared gradient options it was given (gradient_options.py), checked here."""
        options = options or {}
        hyperparameters = self._checked_booleans(
            hyperparameters or {}, options, decoupled_weight_decay
        )
        for name in options:
            if name not in self.gradient_options:
                raise TypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument {name!r}; "
                    f"besides its own it takes {', '.join(self.gradient_options)}"
                )
        weight_decay, l1_decay, maximize, clip_value, clip_norm, global_clip_norm = (
            options.get(name, default) for name, (default, _) in gradient_options.OPTIONS.items()
        )
        if isinstance(learning_rate, Schedule):
            if decay:
                raise ValueError(
                    "Give either decay or a learning-rate schedule, not both: decay is the "
                    "book's inverse-time schedule (Schedule_InverseTimeDecay)"
                )
            self.schedule: Schedule | None = learning_rate
            learning_rate = learning_rate.initial_learning_rate
        else:
            self.schedule = None
        hyperparameter_checks.learning_rate(learning_rate)
        hyperparameter_checks.non_negative("decay", decay)
        hyperparameter_checks.non_negative("weight_decay", weight_decay)
        hyperparameter_checks.non_negative("l1_decay", l1_decay)
        for label, value in (
            ("clip_value", clip_value),
            ("clip_norm", clip_norm),
            ("global_clip_norm", global_clip_norm),
        ):
            hyperparameter_checks.positive_or_none(label, value)

        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.hyperparameter_names = (
            "learning_rate",
            *(hyperparameters or {}),
            "weight_decay",
            "decoupled_weight_decay",
            "l1_decay",
            "maximize",
            "clip_value",
            "clip_norm",
        )
        if (hyperparameters or {}).get("fused"):
            compiled.require(f"{type(self).__name__}(fused=True)")
        for name, value in (hyperparameters or {}).items():
            setattr(self, name, value)
        self.weight_decay = weight_decay
        self.decoupled_weight_decay = decoupled_weight_decay
        self.l1_decay = l1_decay
        self.maximize = maximize
        self.clip_value = clip_value
        self.clip_norm = clip_norm
        self.global_clip_norm = global_clip_norm
        self.learning_rate_factor = 1.0
        self._global_clip_scale: float | None = None
        self.added_groups: list[dict[str, Any]] = []
        if self.schedule is not None and self.schedule.momentum(0) is not None:
            if self._cycled_momentum_name() is None:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )

    # ------------------------------------------------------------------ checked settings

    def __setattr__(self, name: str, value: Any) -> None:
        """Assignments after construction are checked as the constructor checks: a
        hyperparameter (``optimizer.beta_1 = 1.5``) by the constructor itself, the step
        count and learning rate by their own rules."""
        if name in self.__dict__ and not getattr(_checking, "active", False):
            if name in self.hyperparameter_names or name in ("decay", "global_clip_norm"):
                self._check_group_settings({name: value})
            elif name == "iterations":
                if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                    raise ValueError(f"{type(self).__name__}: iterations must be a whole number "
                                     f">= 0, got {value!r:.60}")  # fmt: skip
            elif name in ("current_learning_rate", "learning_rate_factor"):
                hyperparameter_checks.learning_rate(value, label=name)
        object.__setattr__(self, name, value)

    def set_hyperparameters(self, values: Mapping[str, Any]) -> None:
        """Set several hyperparameters at once, checked together by the constructor's checks."""
        self._check_group_settings(values)
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def _checked_booleans(
        self,
        hyperparameters: Mapping[str, Any],
        options: Mapping[str, Any],
        decoupled_weight_decay: object,
    ) -> dict[str, Any]:
        """Every option whose default is True or False must be True or False: a string such
        as ``amsgrad="no"`` is true in Python and would silently switch the option on."""
        where = f"{type(self).__name__}()"
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(type(self).__init__).parameters.items()
        }
        checked = dict(hyperparameters)
        for name, value in checked.items():
            if isinstance(defaults.get(name), bool):
                checked[name] = check_bool(where, name, value)
        if "maximize" in options:
            check_bool(where, "maximize", options["maximize"])
        check_bool(where, "decoupled_weight_decay", decoupled_weight_decay)
        return checked

    # ------------------------------------------------------------------ the book's hooks

    def pre_update_params(self) -> None:
        """Set ``current_learning_rate`` for this step (call once, before the updates)."""
        if self.schedule is not None:
            self.current_learning_rate = self.schedule(self.iterations)
            initial = self.schedule.initial_learning_rate
            self.learning_rate_factor = self.current_learning_rate / initial if initial else 0.0
            momentum = self.schedule.momentum(self.iterations)
            if momentum is not None:
                # One-cycle and cyclic schedules cycle the momentum (Adam's β₁) too, in every
                # group, and the last value stays, as PyTorch's schedulers do
                name = self._cycled_momentum_name()
                setattr(self, name, momentum)
                for group in self.added_groups:
                    if name in group:
                        group[name] = momentum
        elif self.decay:
            # The book's form, multiplying by the reciprocal (it decides the last printed digit)
            self.learning_rate_factor = 1.0 / (1.0 + self.decay * self.iterations)
            self.current_learning_rate = self.learning_rate * self.learning_rate_factor

    def update_params(self, layer: object) -> None:
        """Update every trainable parameter of ``layer`` from its gradient, in place.

        First every parameter is checked and its update prepared, so that a bad argument (or
        a missing optional package) leaves the layer as it was; then each is updated in turn.
        """
        parameters = self._parameters_to_update(layer)
        if not parameters:
            return  # a frozen layer
        defaults = self._default_settings()
        # Each parameter's hyperparameters (its param group's) and learning rate at this step
        chosen = [
            (parameter, *param_groups.settings_for(self, layer, parameter, defaults))
            for parameter in parameters
        ]
        self.update_layer_parameters(layer, chosen)

    def update_layer_parameters(
        self, layer: object, chosen: Sequence[tuple[ParameterSpec, dict[str, Any], float]]
    ) -> None:
        """Update the given parameters of ``layer``, each ``(parameter, settings,
        learning_rate)``: the body of ``update_params``, which ``nnlite.optim`` (PyTorch's
        face, with its own param groups) calls too, so that both run the same rule."""
        where = _UpdateCall(self, layer)  # for messages; formatted only if one is raised

        # Check every parameter, then prepare its update (state arrays, work arrays)
        arrays = [self._weights_and_gradient(layer, parameter, where) for parameter, _, _ in chosen]
        prepared = plans.prepare_layer(
            self,
            layer,
            [(p, settings, *arrays[i]) for i, (p, settings, _) in enumerate(chosen)],
            needs_gradient_buffers=[
                self.global_clip_norm is not None
                or gradient_options.changes_gradient(settings, None)
                for _, settings, _ in chosen
            ],
            where=where,
        )

        # Update each: the gradient options, then the optimizer's rule
        for (_, _, learning_rate), (weights, gradient), plan in zip(
            chosen, arrays, prepared, strict=True
        ):
            gradient = self._apply_gradient_options(weights, gradient, plan)
            if plan.settings["decoupled_weight_decay"] and plan.settings["weight_decay"]:
                # Decoupled (AdamW-style) decay: W ← W · (1 - lr·λ)
                np.multiply(weights, 1 - learning_rate * plan.settings["weight_decay"], out=weights)
            plans.run(plan, weights, gradient, learning_rate)

    def post_update_params(self) -> None:
        """Count the step (call once, after the updates)."""
        self.iterations += 1

    # The course notes' spellings
    def pre_update_param(self) -> None:
        self.pre_update_params()

    def update_param(self, layer: object) -> None:
        self.update_params(layer)

    def post_update_param(self) -> None:
        self.post_update_params()

    def step(self, layers: Iterable[object]) -> None:
        """Run the three hooks over ``layers``: one optimization step."""
        layers = list(layers)
        if self.global_clip_norm is not None:
            self._global_clip_scale = gradient_options.global_clip_scale(
                layers, self.global_clip_norm
            )
        try:
            self.pre_update_params()
            for layer in layers:
                if trainable_parameters(layer):
                    self.update_params(layer)
            self.post_update_params()
        finally:
            self._global_clip_scale = None

    # ------------------------------------------------------------------ checkpoints

    def state_dict(self, layers: Mapping[str, object] | Iterable[object]) -> dict[str, Any]:
        """Settings, step counts and state arrays, keyed by layer and attribute name.

        ``layers``: a dict ``{"dense1": dense1, ...}`` or a list of layers with names.
        See ``nnlite/optimizers/engine/saved_state.py`` for the layout.
        """
        return saved_state.optimizer_state_dict(self, layers)

    def load_state_dict(
        self, state: Mapping[str, Any], layers: Mapping[str, object] | Iterable[object]
    ) -> None:
        """Restore a ``state_dict`` into this optimizer and ``layers``, checking it first.

        As in PyTorch, the saved hyperparameters replace the constructor's.
        """
        saved_state.load_optimizer_state_dict(self, state, layers)

    # ------------------------------------------------------------------ the rule itself

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        """Change ``weights`` (a layer's weights or biases) in place from ``gradient``; each
        optimizer defines this. ``update`` holds the state arrays, work arrays, learning rate,
        step and settings (see ``engine/plans.py``)."""
        raise NotImplementedError

    def state_names_for(self, settings: Mapping[str, Any]) -> tuple[str, ...]:
        """The state a parameter with these settings keeps (``state_names`` unless an option
        adds some, as ``amsgrad`` does)."""
        return self.state_names

    def initial_state(self, group: Mapping[str, Any]) -> dict[str, float]:
        """Fill values of new state arrays by suffix (zeros unless a subclass says otherwise)."""
        return {}

    # ------------------------------------------------------------------ param groups

    @property
    def param_groups(self) -> list[MutableMapping[str, Any]]:
        """Hyperparameters per group of parameters, as PyTorch's ``param_groups``.

        Group 0 holds the optimizer's own hyperparameters (writing to it sets the attribute);
        the others come from ``add_param_group`` and apply to the layers and parameter names
        they select, overriding group 0 for the keys they give.
        """
        defaults = DefaultGroup(self)
        return [defaults, *(MergedGroup(group, defaults) for group in self.added_groups)]

    def add_param_group(self, group: Mapping[str, Any]) -> None:
        """Give some layers or parameters their own hyperparameters.

        ``group`` selects with ``"layers"`` (a list of layers; all if left out) and
        ``"parameters"`` (names such as ``["biases"]``; all if left out), and sets any
        hyperparameter of this optimizer, for example::

            optimizer.add_param_group({"layers": [dense2], "learning_rate": 1e-4})
            optimizer.add_param_group({"parameters": ["biases"], "weight_decay": 0.0})
        """
        if not isinstance(group, Mapping):
            raise TypeError(f"param_group must be a dict, but got {type(group)}")
        group = dict(group)
        settable = self._settable_hyperparameters()
        unknown = set(group) - set(GROUP_SELECTORS) - settable
        if unknown:
            raise ValueError(
                f"{type(self).__name__}.add_param_group: unknown key(s) {sorted(unknown)}; "
                f"a group selects with {list(GROUP_SELECTORS)} and may set {sorted(settable)}"
            )
        if "layers" in group:
            layers = group["layers"]
            if isinstance(layers, set) or not isinstance(layers, Iterable):
                raise TypeError("param group 'layers' must be a list of layers, in a fixed order")
            group["layers"] = list(layers)
        if "parameters" in group:
            names = group["parameters"]
            group["parameters"] = [names] if isinstance(names, str) else list(names)
        self._check_group_settings(group)
        self.added_groups.append(group)

    def _settable_hyperparameters(self) -> set[str]:
        """Hyperparameters a group may set: those this optimizer's constructor takes."""
        accepted = inspect.signature(type(self).__init__).parameters
        return {name for name in self.hyperparameter_names if name in accepted}

    def _check_group_settings(self, group: Mapping[str, Any]) -> None:
        """Check a group's settings with the constructor's own checks and messages, by
        building a throwaway optimizer of this class with them."""
        arguments = {}
        for name, parameter in inspect.signature(type(self).__init__).parameters.items():
            if name == "self" or parameter.kind in (
                parameter.VAR_POSITIONAL,
                parameter.VAR_KEYWORD,
            ):
                continue
            if name in group:
                arguments[name] = group[name]
            elif name == "learning_rate":
                arguments[name] = self.learning_rate
            elif hasattr(self, name):
                arguments[name] = getattr(self, name)
        if "fused" in arguments:
            # Checked as a flag only: a missing numba is reported at the first update, so
            # that a checkpoint saved with fused=True still loads where numba is missing
            check_bool(f"{type(self).__name__}()", "fused", arguments["fused"])
            arguments["fused"] = False
        _checking.active = True
        try:
            type(self)(**arguments)
        finally:
            _checking.active = False

    def hyperparameters_for(self, layer: object, parameter_name: str) -> Mapping[str, Any]:
        """The hyperparameters that apply to one parameter of ``layer``."""
        for parameter in trainable_parameters(layer):
            if parameter.name == parameter_name:
                return self._group_for(layer, parameter)
        raise ValueError(f"{describe(layer)} has no trainable parameter {parameter_name!r}")

    # ------------------------------------------------------------------ helpers

    def _default_settings(self) -> dict[str, Any]:
        """Group 0's hyperparameters as a plain dict (read once per update_params).

        The same dict object while no hyperparameter changes, so that a prepared update can
        recognize its settings by identity.
        """
        values = tuple(getattr(self, name) for name in self.hyperparameter_names)
        cached = getattr(self, "_cached_settings", None)
        # Compared by identity: 0.9 and np.float64(0.9) are equal but compute differently
        if cached is None or any(a is not b for a, b in zip(cached[0], values, strict=True)):
            cached = (values, dict(zip(self.hyperparameter_names, values, strict=True)))
            self._cached_settings = cached
        return cached[1]

    def _group_for(self, layer: object, parameter: ParameterSpec) -> Mapping[str, Any]:
        group = param_groups.group_of(self.added_groups, layer, parameter)
        defaults = DefaultGroup(self)
        return defaults if group is None else MergedGroup(group, defaults)

    def _cycled_momentum_name(self) -> str | None:
        for name in ("beta_1", "momentum"):
            if name in self.hyperparameter_names:
                return name
        return None

    def _parameters_to_update(self, layer: object) -> tuple[ParameterSpec, ...]:
        """The layer's trainable parameters (none if it is frozen), or a clear error."""
        parameters = trainable_parameters(layer)
        if not parameters and getattr(layer, "trainable", True) is not False:
            raise TypeError(
                f"{type(self).__name__}.update_params: {describe(layer)} has no trainable "
                f"parameters (no weights); pass only layers such as Layer_Dense"
            )
        if parameters and self.global_clip_norm is not None and self._global_clip_scale is None:
            raise RuntimeError(
                f"{type(self).__name__}: global_clip_norm needs every layer's gradients at "
                f"once; call optimizer.step([layer1, layer2, ...]) instead of update_params"
            )
        return parameters

    def _weights_and_gradient(
        self, layer: object, parameter: ParameterSpec, where: object
    ) -> tuple[np.ndarray, np.ndarray]:
        """The parameter's array and its gradient, checked: both arrays of one shape."""
        value = getattr(layer, parameter.name)

        gradient = getattr(layer, parameter.gradient, None)
        if type(value) is np.ndarray and type(gradient) is np.ndarray:
            if (
                gradient.shape == value.shape
                and value.flags.writeable
                and value.dtype.kind == "f"
                and gradient.dtype.kind == "f"
            ):
                return value, gradient  # the usual case, checked in one go
        if gradient is None:
            raise RuntimeError(
                f"{where}: {parameter.gradient} is missing; call backward() before updating"
            )
        if getattr(gradient, "is_sparse", False):
            raise RuntimeError(
                f"{where}: {type(self).__name__} does not support sparse gradients, please "
                f"consider Optimizer_SparseAdam instead (or Layer_Embedding(..., sparse=False))"
            )
        if not isinstance(value, np.ndarray) or not isinstance(gradient, np.ndarray):
            raise TypeError(
                f"{where}: {parameter.name} and {parameter.gradient} must be NumPy arrays, got "
                f"{type(value).__name__} and {type(gradient).__name__}"
            )
        if gradient.shape != value.shape:
            raise ValueError(
                f"{where}: {parameter.gradient} has shape {gradient.shape} but "
                f"{parameter.name} has shape {value.shape}"
            )
        # Checked before anything changes: an update cannot fail half way through
        if value.dtype.kind != "f" or gradient.dtype.kind not in "biuf":
            raise TypeError(
                f"{where}: {parameter.name} must hold floating-point numbers and "
                f"{parameter.gradient} real numbers, got dtypes {value.dtype} and "
                f"{gradient.dtype}; an integer parameter cannot take fractional steps"
            )
        if not value.flags.writeable:
            raise ValueError(
                f"{where}: {parameter.name} is read-only (its array's writeable flag is off), "
                f"so it cannot be updated in place; give the layer a writable copy"
            )
        return value, gradient

    def _apply_gradient_options(
        self, weights: np.ndarray, gradient: np.ndarray, plan: plans.UpdatePlan
    ) -> np.ndarray:
        """The gradient the rule sees: the layer's own array, or one changed by the gradient
        options (maximize, clipping, L2, L1) in a work array."""
        if not gradient_options.changes_gradient(plan.settings, self._global_clip_scale):
            return gradient
        return gradient_options.apply(
            weights, gradient, plan.settings, self._global_clip_scale, plan.gradient_buffers
        )

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.hyperparameter_names)
        return f"{type(self).__name__}({settings})"


class _UpdateCall:
    """``Optimizer_Adam.update_params(Layer_Dense(2, 64))``, formatted only when printed."""

    __slots__ = ("layer", "optimizer")

    def __init__(self, optimizer: Optimizer, layer: object) -> None:
        self.optimizer = optimizer
        self.layer = layer

    def __str__(self) -> str:
        return f"{type(self.optimizer).__name__}.update_params({describe(self.layer)})"
