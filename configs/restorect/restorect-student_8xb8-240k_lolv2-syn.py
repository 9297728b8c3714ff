# RestoRect student on lolv2-syn, 8 GPUs x batch 8, 240_000 iterations, phase 1
# for the first 80_000 (reference recipe, spec Part B 7). Set the teacher:
#   --cfg-options model.teacher_weights=restorect-teacher_lolv2-syn-<hash>.pth
_base_ = [
    '../_base_/models/restorect_student.py',
    '../_base_/schedules/restorect_student_240k.py',
    '../_base_/datasets/lol_v2_syn.py',
]

experiment_name = 'restorect-student_8xb8-240k_lolv2-syn'
work_dir = f'./work_dirs/{experiment_name}'

encoder_iters = 80_000
model = dict(
    encoder_iters=encoder_iters,
    teacher_weights=f'work_dirs/restorect-teacher_8xb8-300k_lolv2-syn/'
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
