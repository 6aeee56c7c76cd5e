"""The machinery under the optimizers, which a reader of their rules may skip: state arrays
on the layer, prepared updates and their work arrays, blocks on threads, compiled rules, and
the optimizer's saved state."""
