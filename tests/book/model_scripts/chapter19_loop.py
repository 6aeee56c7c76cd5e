# The book's chapter 19 Model.train, written out as a loop over nnlite's classes.
# Run as: python chapter19_loop.py <configuration> <epochs> <batch_size or none> <print_every>
# Batches are consecutive slices (the last one smaller), the loss and accuracy accumulate over
# the epoch, and each epoch ends with the summary and a batched validation pass.
import sys

from configs import build

from nnlite import (
    Accuracy_Categorical,
    Activation_Softmax,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Loss_CategoricalCrossentropy,
)

X, y, X_val, y_val, layers, optimizer = build(sys.argv[1])
epochs = int(sys.argv[2])
batch_size = None if sys.argv[3] == "none" else int(sys.argv[3])
print_every = int(sys.argv[4])

softmax = Activation_Softmax()
loss_function = Loss_CategoricalCrossentropy()
softmax_loss = Activation_Softmax_Loss_CategoricalCrossentropy()
accuracy_function = Accuracy_Categorical()
trainable = [layer for layer in layers if hasattr(layer, "weights")]
loss_function.remember_trainable_layers(trainable)


def steps_for(samples):
    if batch_size is None:
        return 1
    steps = samples // batch_size
    if steps * batch_size < samples:
        steps += 1
    return steps


def batch(data, step):
    if batch_size is None:
        return data
    return data[step * batch_size : (step + 1) * batch_size]


def forward(inputs, training):
    for layer in layers:
        layer.forward(inputs, training)
        inputs = layer.output
    softmax.forward(inputs, training)
    return softmax.output


train_steps = steps_for(len(X))
for epoch in range(1, epochs + 1):
    print(f"epoch: {epoch}")
    loss_function.new_pass()
    accuracy_function.new_pass()
    for step in range(train_steps):
        batch_X, batch_y = batch(X, step), batch(y, step)
        output = forward(batch_X, True)
        data_loss, regularization_loss = loss_function.calculate(
            output, batch_y, include_regularization=True
        )
        loss = data_loss + regularization_loss
        predictions = softmax.predictions(output)
        accuracy = accuracy_function.calculate(predictions, batch_y)

        softmax_loss.backward(output, batch_y)
        dvalues = softmax_loss.dinputs
        for layer in reversed(layers):
            layer.backward(dvalues)
            dvalues = layer.dinputs

        optimizer.pre_update_params()
        for layer in trainable:
            optimizer.update_params(layer)
        optimizer.post_update_params()

        if not step % print_every or step == train_steps - 1:
            print(
                f"step: {step}, "
                + f"acc: {accuracy:.3f}, "
                + f"loss: {loss:.3f} ("
                + f"data_loss: {data_loss:.3f}, "
                + f"reg_loss: {regularization_loss:.3f}), "
                + f"lr: {optimizer.current_learning_rate}"
            )

    epoch_data_loss, epoch_regularization_loss = loss_function.calculate_accumulated(
        include_regularization=True
    )
    epoch_loss = epoch_data_loss + epoch_regularization_loss
    epoch_accuracy = accuracy_function.calculate_accumulated()
    print(
        "training, "
        + f"acc: {epoch_accuracy:.3f}, "
        + f"loss: {epoch_loss:.3f} ("
        + f"data_loss: {epoch_data_loss:.3f}, "
        + f"reg_loss: {epoch_regularization_loss:.3f}), "
        + f"lr: {optimizer.current_learning_rate}"
    )

    # Validation, batched like training, without dropout
    loss_function.new_pass()
    accuracy_function.new_pass()
    for step in range(steps_for(len(X_val))):
        batch_X, batch_y = batch(X_val, step), batch(y_val, step)
        output = forward(batch_X, False)
        loss_function.calculate(output, batch_y)
        accuracy_function.calculate(softmax.predictions(output), batch_y)
    validation_loss = loss_function.calculate_accumulated()
    validation_accuracy = accuracy_function.calculate_accumulated()
    print(f"validation, acc: {validation_accuracy:.3f}, loss: {validation_loss:.3f}")
