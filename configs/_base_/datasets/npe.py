# NPE (Wang et al., "Naturalness Preserved Enhancement Algorithm for
# Non-Uniform Illumination Images", TIP 2013).
# Low-light photos without reference (75 as the reference evaluates them);
# RestoRect evaluates them with the LOL-v2-syn model:
#   configs/restorect/restorect-student_test_npe.py
# Layout (the IDIR collection of unpaired low-light test sets):
#   data/IDIR/NPE/*
# No-reference metrics only (see unpaired_folder.py).
_base_ = './unpaired_folder.py'

test_dataloader = dict(
    dataset=dict(data_root='data/IDIR', data_prefix=dict(img='NPE')))
