# VV (V. Vonikakis, "Busting image enhancement and tone-mapping
# algorithms: a collection of the most challenging cases").
# Low-light photos without reference (24 as the reference evaluates them);
# RestoRect evaluates them with the LOL-v2-syn model:
#   configs/restorect/restorect-student_test_vv.py
# Layout (the IDIR collection of unpaired low-light test sets):
#   data/IDIR/VV/*
# No-reference metrics only (see unpaired_folder.py).
_base_ = './unpaired_folder.py'

test_dataloader = dict(
    dataset=dict(data_root='data/IDIR', data_prefix=dict(img='VV')))
