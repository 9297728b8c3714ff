# The RestoRect teacher (stage 1) at full size: G (./rgformer.py) + the
# teacher prior encoders (LQ + GT, 5 ResBlocks): 25,888,763 trainable
# parameters, plus the two learnable loss scalars (HVI k, diffusion scale s).
_base_ = './rgformer.py'

model = dict(
    type='RestoRectTeacher',
    rex_prior=dict(type='RetinexPriorEncoder', in_images=2, n_feats=64,
                   n_encoder_res=5),
    img_prior=dict(type='ImagePriorEncoder', in_images=2, n_feats=64,
                   n_encoder_res=5),
    decom_low=dict(type='DecomNet'),
    decom_high=dict(type='DecomNet'),
    # The published stage-0 weights (frozen here): the stable name that
    #   python tools/publish_model.py work_dirs/restorect_decom/best_*.pth \
    #       work_dirs/restorect_decom/restorect-decom.pth
    # writes after training configs/restorect_decom.py (another file:
    # --cfg-options model.decom_weights=FILE).
    # model.decom_low_weights / model.decom_high_weights load any DecomNet
    # state dict instead (e.g. URetinex-style files with 'model_R').
    decom_weights='work_dirs/restorect_decom/restorect-decom.pth',
    pixel_loss=dict(type='L1Loss', loss_weight=1.0),
    recon_in_loss=dict(type='L1Loss', loss_weight=1.0),
    recon_out_loss=dict(type='L1Loss', loss_weight=1.0),
    # hvi_form='reference' reproduces the reference code's transform
    hvi_loss=dict(type='PolarizedHVILoss', loss_weight=0.05,
                  hvi_form='cidnet'),
    # on the auxiliary head with gradients; loss_weight=0 is the reference
    texture_loss=dict(type='TextureConsistencyLoss', loss_weight=0.05),
    smoothness_loss=dict(type='IlluminationSmoothnessLoss', loss_weight=0.05),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
