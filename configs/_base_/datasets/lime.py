# LIME (Guo et al., "LIME: Low-Light Image Enhancement via Illumination
# Map Estimation", TIP 2017).
# Low-light photos without reference (10 as the reference evaluates them);
# RestoRect evaluates them with the LOL-v2-syn model:
#   configs/restorect/restorect-student_test_lime.py
# Layout (the IDIR collection of unpaired low-light test sets):
#   data/IDIR/LIME/*
# No-reference metrics only (see unpaired_folder.py).
_base_ = './unpaired_folder.py'

test_dataloader = dict(
    dataset=dict(data_root='data/IDIR', data_prefix=dict(img='LIME')))
