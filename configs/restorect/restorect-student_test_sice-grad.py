# Evaluate the SICE student on SICE-Grad (paired: the full test evaluator of
# the dataset base):
#   python tools/model_converters/extract_student.py \
#       work_dirs/restorect-student_8xb8-400k_sice/iter_*.pth student.pth
#   python tools/test.py \
#       configs/restorect/restorect-student_test_sice-grad.py \
#       student-<hash>.pth
_base_ = [
    './restorect-student_inference-model.py',
    '../_base_/datasets/sice_grad.py',
]

experiment_name = 'restorect-student_test_sice-grad'
work_dir = f'./work_dirs/{experiment_name}'

# evaluation only: drop the SICE training and validation data of the base
train_dataloader = None
val_dataloader = None
val_evaluator = None
