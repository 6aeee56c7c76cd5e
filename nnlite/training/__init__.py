"""Training: the book's Model, its callbacks, History, progress bar and printed lines, and
checkpoints of a training run."""
