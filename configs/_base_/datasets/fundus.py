# Fundus image enhancement: the sample images of EyeQ (Fu et al.,
# "Evaluation of Retinal Image Quality Assessment Networks in Different
# Color-Spaces", MICCAI 2019; EyePACS fundus photos), 8 images without
# reference. RestoRect evaluates them zero-shot with the BAID model
# (restorect-student_test_fundus.py).
#   data/eyeq/dataset/sample/*
# No-reference metrics only (see unpaired_folder.py).
_base_ = './unpaired_folder.py'

test_dataloader = dict(
    dataset=dict(
        data_root='data/eyeq/dataset', data_prefix=dict(img='sample')))
