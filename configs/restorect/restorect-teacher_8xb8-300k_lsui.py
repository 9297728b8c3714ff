# RestoRect teacher on LSUI, 8 GPUs x batch 8, 300k iterations (the
# reference used its 125k checkpoint as the stage-2 teacher).
_base_ = [
    '../_base_/models/restorect_teacher.py',
    '../_base_/schedules/restorect_teacher_300k.py',
    '../_base_/datasets/lsui.py',
]

experiment_name = 'restorect-teacher_8xb8-300k_lsui'
work_dir = f'./work_dirs/{experiment_name}'
