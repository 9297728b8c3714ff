# RestoRect teacher on LOL-v2-real, 8 GPUs x batch 8, 300k iterations.
_base_ = [
    '../_base_/models/restorect_teacher.py',
    '../_base_/schedules/restorect_teacher_300k.py',
    '../_base_/datasets/lol_v2_real.py',
]

experiment_name = 'restorect-teacher_8xb8-300k_lolv2-real'
work_dir = f'./work_dirs/{experiment_name}'
