# Evaluate the LOL-v2-syn student on VV as in the
# paper. No reference: NIQE, BRISQUE, UCIQE, UIQM only (the reference code
# scored against the input itself; see docs/metrics.md):
#   python tools/model_converters/extract_student.py \
#       work_dirs/restorect-student_8xb8-240k_lolv2-syn/iter_*.pth student.pth
#   python tools/test.py configs/restorect/restorect-student_test_vv.py \
#       student-<hash>.pth
_base_ = [
    './restorect-student_inference-model.py',
    '../_base_/datasets/vv.py',
]

experiment_name = 'restorect-student_test_vv'
work_dir = f'./work_dirs/{experiment_name}'
