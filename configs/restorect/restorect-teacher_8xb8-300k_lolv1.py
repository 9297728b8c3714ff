# RestoRect teacher on LOL-v1, 8 GPUs x batch 8, 300k iterations.
_base_ = '../restorect_teacher.py'

experiment_name = 'restorect-teacher_8xb8-300k_lolv1'
work_dir = f'./work_dirs/{experiment_name}'
