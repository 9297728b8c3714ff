# RestoRect student on UIEB, 8 GPUs x batch 8, 400_000 iterations, phase 1
# for the first 100_000 (the reference recipe; it
# tested its 215k checkpoint). Set the teacher:
#   --cfg-options model.teacher_weights=restorect-teacher_uieb-<hash>.pth
_base_ = [
    '../_base_/models/restorect_student.py',
    '../_base_/schedules/restorect_student_400k.py',
    '../_base_/datasets/uieb.py',
]

experiment_name = 'restorect-student_8xb8-400k_uieb'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    encoder_iters=100_000,
    teacher_weights='work_dirs/restorect-teacher_8xb8-300k_uieb/'
    'restorect-teacher.pth')
