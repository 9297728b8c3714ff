"""Metrics of restorect_mm (registered into MMagic's METRICS on import)."""
from .retinex_metric import RetinexDecompositionMetric
from .niqe_checked import NIQEChecked
from .no_reference_metric import NoReferenceMetric
from .per_image_metric import PerImageMetric
from .protocol_psnr_ssim import ProtocolPSNR, ProtocolSSIM
from .uciqe import UCIQE
from .uiqm import UIQM
from .brisque import BRISQUE
from .chroma_speckle import ChromaSpeckle
from .inception_fid import InceptionFID, InceptionFIDImageNet
from .lpips_metric import LPIPS

__all__ = ['RetinexDecompositionMetric']
__all__ += ['NIQEChecked', 'NoReferenceMetric', 'PerImageMetric',
            'ProtocolPSNR', 'ProtocolSSIM', 'UCIQE', 'UIQM']
__all__ += ['BRISQUE', 'ChromaSpeckle', 'InceptionFID', 'InceptionFIDImageNet',
            'LPIPS']
