# The book's Model (chapters 18-22) on nnlite, trained on a shared configuration.
# Run as: python model_train.py <configuration> <epochs> <batch_size or none> <print_every>
#                               [<print_style>]
import sys

from configs import build

from nnlite import Accuracy_Categorical, Activation_Softmax, Loss_CategoricalCrossentropy
from nnlite.training.model import Model

X, y, X_val, y_val, layers, optimizer = build(sys.argv[1])
epochs = int(sys.argv[2])
batch_size = None if sys.argv[3] == "none" else int(sys.argv[3])
print_every = int(sys.argv[4])
print_style = sys.argv[5] if len(sys.argv) > 5 else "auto"

model = Model()
for layer in layers:
    model.add(layer)
model.add(Activation_Softmax())
model.set(loss=Loss_CategoricalCrossentropy(), optimizer=optimizer, accuracy=Accuracy_Categorical())
model.finalize()
model.train(
    X,
    y,
    epochs=epochs,
    batch_size=batch_size,
    print_every=print_every,
    validation_data=(X_val, y_val),
    print_style=print_style,
)
