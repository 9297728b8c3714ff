# Stage 0 of RestoRect: the Retinex decomposition nets D_low (degraded input)
# and D_high (ground truth), 20.5 K parameters each, trained together by
# RestoRectDecomposer; stages 1 and 2 load and freeze them.
model = dict(
    type='RestoRectDecomposer',
    decom_low=dict(type='DecomNet'),
    decom_high=dict(type='DecomNet'),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
