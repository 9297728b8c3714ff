# RestoRect student on lolv2-real, 8 GPUs x batch 8, 240_000 iterations, phase 1
# for the first 100_000 (reference recipe, spec Part B 7). Set the teacher:
#   --cfg-options model.teacher_weights=restorect-teacher_lolv2-real-<hash>.pth
_base_ = [
    '../_base_/models/restorect_student.py',
    '../_base_/schedules/restorect_student_240k.py',
    '../_base_/datasets/lol_v2_real.py',
]

experiment_name = 'restorect-student_8xb8-240k_lolv2-real'
work_dir = f'./work_dirs/{experiment_name}'

encoder_iters = 100_000
model = dict(
    encoder_iters=encoder_iters,
    teacher_weights='work_dirs/restorect-teacher_8xb8-300k_lolv2-real/'
    'restorect-teacher.pth')
train_dataloader = dict(batch_size=8, num_workers=8)
param_scheduler = dict(
    prior_flows=[
        dict(type='MultiStepLR', by_epoch=False, milestones=[60_000],
             gamma=0.1, begin=0, end=encoder_iters)
    ],
    student=[
        dict(type='StepLR', by_epoch=False, step_size=80_000, gamma=0.5,
             begin=encoder_iters, end=240_000)
    ])
custom_hooks = [
    dict(type='EMAHook', ema_type='TrainableEMA', momentum=0.001,
         update_buffers=False, priority='ABOVE_NORMAL'),
    # LOL-v2-real progressive iters: 120k, 80k, 38k, 33k, 33k, 24k
    dict(type='ProgressivePatchHook',
         patch_sizes=[192, 256, 320, 384, 464, 512],
         batch_sizes=[8, 4, 2, 2, 1, 1],
         milestones=[120_000, 200_000, 238_000, 271_000, 304_000]),
    dict(type='BasicVisualizationHook', interval=1),
]
