"""Learning-rate schedules, each giving the same sequence as PyTorch's scheduler.

An optimizer takes a schedule in place of a number and asks it for the rate before each
update: ``current_learning_rate = schedule(iterations)``. ``schedule.values(100)`` lists the
first 100 rates, for a plot.
"""

from nnlite.schedules.base import Schedule
from nnlite.schedules.chained import Schedule_Chained
from nnlite.schedules.constant_warmup import Schedule_ConstantWarmup
from nnlite.schedules.cosine_annealing import Schedule_CosineAnnealing
from nnlite.schedules.cosine_warm_restarts import Schedule_CosineWarmRestarts
from nnlite.schedules.cyclic import Schedule_Cyclic
from nnlite.schedules.exponential_decay import Schedule_ExponentialDecay
from nnlite.schedules.inverse_time_decay import Schedule_InverseTimeDecay
from nnlite.schedules.lambda_schedule import Schedule_Lambda
from nnlite.schedules.linear_warmup import Schedule_LinearWarmup
from nnlite.schedules.multi_step_decay import Schedule_MultiStepDecay
from nnlite.schedules.one_cycle import Schedule_OneCycle
from nnlite.schedules.polynomial_decay import Schedule_PolynomialDecay
from nnlite.schedules.reduce_on_plateau import Schedule_ReduceOnPlateau
from nnlite.schedules.sequential import Schedule_Sequential
from nnlite.schedules.step_decay import Schedule_StepDecay

__all__ = [
    "Schedule",
    "Schedule_Chained",
    "Schedule_ConstantWarmup",
    "Schedule_CosineAnnealing",
    "Schedule_CosineWarmRestarts",
    "Schedule_Cyclic",
    "Schedule_ExponentialDecay",
    "Schedule_InverseTimeDecay",
    "Schedule_Lambda",
    "Schedule_LinearWarmup",
    "Schedule_MultiStepDecay",
    "Schedule_OneCycle",
    "Schedule_PolynomialDecay",
    "Schedule_ReduceOnPlateau",
    "Schedule_Sequential",
    "Schedule_StepDecay",
]
