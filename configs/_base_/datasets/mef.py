# MEF (Ma et al., "Perceptual Quality Assessment for Multi-Exposure
# Image Fusion", TIP 2015).
# Low-light photos without reference (79 as the reference evaluates them);
# RestoRect evaluates them with the LOL-v2-syn model:
#   configs/restorect/restorect-student_test_mef.py
# Layout (the IDIR collection of unpaired low-light test sets):
#   data/IDIR/MEF/*
# No-reference metrics only (see unpaired_folder.py).
_base_ = './unpaired_folder.py'

test_dataloader = dict(
    dataset=dict(data_root='data/IDIR', data_prefix=dict(img='MEF')))
