# RestoRect student on lolv2-syn, 8 GPUs x batch 8, 240_000 iterations, phase 1
# for the first 80_000 (the reference recipe). Reads the
# teacher of restorect-teacher_8xb8-300k_lolv2-syn.py, under the name that
#   python tools/publish_model.py \
#       work_dirs/restorect-teacher_8xb8-300k_lolv2-syn/best_*.pth \
#       work_dirs/restorect-teacher_8xb8-300k_lolv2-syn/restorect-teacher.pth
# writes (another teacher: --cfg-options model.teacher_weights=FILE)
_base_ = [
    '../_base_/models/restorect_student.py',
    '../_base_/schedules/restorect_student_240k.py',
    '../_base_/datasets/lol_v2_syn.py',
]

experiment_name = 'restorect-student_8xb8-240k_lolv2-syn'
work_dir = f'./work_dirs/{experiment_name}'

# phase 1 lasts 80k iterations, the schedule base's default
model = dict(
    teacher_weights='work_dirs/restorect-teacher_8xb8-300k_lolv2-syn/'
    'restorect-teacher.pth')
