# The longer stage-2 recipe of the reference for UIEB, LSUI, BAID, SICE and
# SID (spec Part B 7): 400_000 iterations, phase 1 (flows only) for the first
# 100_000. The progressive-patch milestones of the 240k base already sum to
# 400k (150k, 60k, 50k, 60k, 40k, 40k); the LR phases move with encoder_iters.
_base_ = './restorect_student_240k.py'

encoder_iters = 100_000
max_iters = 400_000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(
    prior_flows=[
        dict(type='MultiStepLR', by_epoch=False, milestones=[60_000],
             gamma=0.1, begin=0, end=encoder_iters)
    ],
    student=[
        dict(type='StepLR', by_epoch=False, step_size=80_000, gamma=0.5,
             begin=encoder_iters, end=max_iters)
    ])
