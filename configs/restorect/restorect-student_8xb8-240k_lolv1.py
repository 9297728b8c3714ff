# RestoRect student on lolv1, 8 GPUs x batch 8, 240_000 iterations, phase 1
# for the first 80_000 (the reference recipe): the stage-2 config
# configs/restorect_student.py under this set's names, distilling the teacher
# of restorect-teacher_8xb8-300k_lolv1.py, under the stable name that
#   python tools/publish_model.py \
#       work_dirs/restorect-teacher_8xb8-300k_lolv1/best_*.pth \
#       work_dirs/restorect-teacher_8xb8-300k_lolv1/restorect-teacher.pth
# writes (another teacher: --cfg-options model.teacher_weights=FILE)
_base_ = '../restorect_student.py'

experiment_name = 'restorect-student_8xb8-240k_lolv1'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    teacher_weights='work_dirs/restorect-teacher_8xb8-300k_lolv1/'
    'restorect-teacher.pth')
