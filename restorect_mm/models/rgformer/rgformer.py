"""RGFormer: the Retinex-guided transformer generator of RestoRect.

RestoRect (arXiv 2509.23480), stage-1 teacher and stage-2 student
generator: a four-level U-shaped channel-attention transformer whose
encoder/decoder blocks are modulated by the Retinex prior z_rex and whose
refinement blocks are modulated by the image prior z_img, with an optional
auxiliary Retinex head applied to the first encoder level and to the first
upsampled decoder features.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from restorect_mm.registry import MODELS
from .blocks import PriorSequential, PriorTransformerBlock, \
    RetinexTransformerBlock
from .retinex_head import RetinexHead
from .sampling import Downsample, Upsample

PAD_MULTIPLE = 8  # three 2x downsamplings


def pad_to_multiple(img: torch.Tensor,
                    multiple: int = PAD_MULTIPLE) -> torch.Tensor:
    """Pad H and W at the bottom/right up to a multiple of ``multiple``.

    Reflection padding; replicate padding where the image is too small
    to reflect. Input (B, C, H, W); output (B, C, H', W').
    """
    h, w = img.shape[-2:]
    pad_h, pad_w = -h % multiple, -w % multiple
    if pad_h == 0 and pad_w == 0:
        return img
    mode = 'reflect' if pad_h < h and pad_w < w else 'replicate'
    return F.pad(img, (0, pad_w, 0, pad_h), mode=mode)


@MODELS.register_module()
class RGFormer(BaseModule):
    """Retinex-guided transformer generator (RestoRect's G).

    Levels (dim=64, input H x W): e1 64 @ H, e2 128 @ H/2, e3 256 @ H/4,
    latent 512 @ H/8, decoder_level3 256 @ H/4, decoder_level2 128 @ H/2,
    decoder_level1 and refinement 128 @ H (the upsampled 64 channels are
    concatenated with e1, no reduction). Encoder/decoder blocks take z_rex,
    refinement blocks take z_img. The input is reflection-padded to a
    multiple of 8 and the outputs are cropped back. Submodule names follow
    the paper's code so features can be hooked by name, e.g.
    ``decoder_level3``.

    Auxiliary outputs: the Retinex head (absent when
    ``with_retinex_head=False``) is applied to e1, giving ``decom_img`` =
    R * L (B, 3, H, W), and to the upsampled decoder features u1, giving
    ``decom_mat`` = [R, L] (B, 4, H, W). :meth:`forward` returns only the
    restored image; :meth:`forward_with_aux` returns all three.

    Args:
        in_channels (int): Image channels. Defaults to 3.
        out_channels (int): Output channels; the global residual is added
            when equal to ``in_channels``. Defaults to 3.
        dim (int): Channels of the first level. Defaults to 64.
        num_blocks (Sequence[int]): Blocks per level (encoder 1-3 and the
            latent; decoders 3-1 mirror levels 3-1). Defaults to (3, 3, 3, 3).
        num_refinement_blocks (int): Refinement blocks. Defaults to 3.
        heads (Sequence[int]): Heads per level. Defaults to (1, 2, 4, 8).
        ffn_expansion_factor (float): FFN hidden factor. Defaults to 2.66.
        norm_type (str): 'SpatialChannel' (SCLN) or 'WithBias' (per-pixel
            channel LayerNorm, older variant). Defaults to 'SpatialChannel'.
        prior_dim (int): Length of z_img. Defaults to 256.
        rex_split (Sequence[int]): (R, I) sizes of z_rex. Defaults to
            (192, 64).
        qk_norm (bool): QK-LayerNorm in every attention. Defaults to True.
        with_retinex_head (bool): Build the auxiliary Retinex head (training
            graph). Defaults to True.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 out_channels: int = 3,
                 dim: int = 64,
                 num_blocks: Sequence[int] = (3, 3, 3, 3),
                 num_refinement_blocks: int = 3,
                 heads: Sequence[int] = (1, 2, 4, 8),
                 ffn_expansion_factor: float = 2.66,
                 norm_type: str = 'SpatialChannel',
                 prior_dim: int = 256,
                 rex_split: Sequence[int] = (192, 64),
                 qk_norm: bool = True,
                 with_retinex_head: bool = True,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.global_residual = in_channels == out_channels
        self.with_retinex_head = with_retinex_head
        self._rex_kw = dict(ffn_expansion_factor=ffn_expansion_factor,
                            norm_type=norm_type, rex_split=tuple(rex_split),
                            qk_norm=qk_norm)
        self.patch_embed = nn.Conv2d(in_channels, dim, 3, padding=1,
                                     bias=False)
        self._build_encoder(dim, num_blocks, heads)
        self._build_decoder(dim, num_blocks, heads)
        self.refinement = PriorSequential(
            PriorTransformerBlock(dim * 2, heads[0], ffn_expansion_factor,
                                  norm_type, prior_dim, qk_norm)
            for _ in range(num_refinement_blocks))
        self.output = nn.Conv2d(dim * 2, out_channels, 3, padding=1,
                                bias=False)
        if with_retinex_head:
            self.retinex_head = RetinexHead(dim)

    def _level(self, channels: int, num_heads: int,
               num: int) -> PriorSequential:
        """``num`` RetinexTransformerBlocks at ``channels`` channels."""
        return PriorSequential(
            RetinexTransformerBlock(channels, num_heads, **self._rex_kw)
            for _ in range(num))

    def _build_encoder(self, dim: int, num_blocks: Sequence[int],
                       heads: Sequence[int]) -> None:
        self.encoder_level1 = self._level(dim, heads[0], num_blocks[0])
        self.down1_2 = Downsample(dim)
        self.encoder_level2 = self._level(dim * 2, heads[1], num_blocks[1])
        self.down2_3 = Downsample(dim * 2)
        self.encoder_level3 = self._level(dim * 4, heads[2], num_blocks[2])
        self.down3_4 = Downsample(dim * 4)
        self.latent = self._level(dim * 8, heads[3], num_blocks[3])

    def _build_decoder(self, dim: int, num_blocks: Sequence[int],
                       heads: Sequence[int]) -> None:
        self.up4_3 = Upsample(dim * 8)
        self.reduce_chan_level3 = nn.Conv2d(dim * 8, dim * 4, 1, bias=False)
        self.decoder_level3 = self._level(dim * 4, heads[2], num_blocks[2])
        self.up3_2 = Upsample(dim * 4)
        self.reduce_chan_level2 = nn.Conv2d(dim * 4, dim * 2, 1, bias=False)
        self.decoder_level2 = self._level(dim * 2, heads[1], num_blocks[1])
        self.up2_1 = Upsample(dim * 2)
        self.decoder_level1 = self._level(dim * 2, heads[0], num_blocks[0])

    def forward(self,
                img: torch.Tensor,
                z_rex: torch.Tensor,
                z_img: torch.Tensor,
                return_aux: bool = False):
        """Restore an image.

        Args:
            img (Tensor): Degraded image (B, in_channels, H, W), any H, W.
            z_rex (Tensor): Retinex prior (B, sum(rex_split)).
            z_img (Tensor): Image prior (B, prior_dim).
            return_aux (bool): Return ``forward_with_aux``'s triple instead.
                A DDP wrapper only synchronises gradients of calls that go
                through ``forward``, so training code uses this switch.

        Returns:
            Tensor: Restored image (B, out_channels, H, W), or
            ``(out, decom_img, decom_mat)`` with ``return_aux=True``.
        """
        if return_aux:
            return self.forward_with_aux(img, z_rex, z_img)
        return self._run(img, z_rex, z_img, with_aux=False)[0]

    def forward_with_aux(
        self, img: torch.Tensor, z_rex: torch.Tensor, z_img: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Restore an image and return the auxiliary Retinex outputs.

        Args: as :meth:`forward`.

        Returns:
            tuple[Tensor, Tensor, Tensor]: restored image
            (B, out_channels, H, W); ``decom_img`` = R * L of the head on e1
            (B, 3, H, W); ``decom_mat`` = [R, L] of the head on the
            upsampled decoder features (B, 4, H, W).
        """
        if not self.with_retinex_head:
            raise RuntimeError('forward_with_aux needs with_retinex_head=True')
        return self._run(img, z_rex, z_img, with_aux=True)

    def _run(self, img: torch.Tensor, z_rex: torch.Tensor,
             z_img: torch.Tensor, with_aux: bool) -> tuple:
        h, w = img.shape[-2:]
        x = pad_to_multiple(img)
        e1 = self.encoder_level1(self.patch_embed(x), z_rex)
        e2 = self.encoder_level2(self.down1_2(e1), z_rex)
        e3 = self.encoder_level3(self.down2_3(e2), z_rex)
        d = self.latent(self.down3_4(e3), z_rex)
        d = self.reduce_chan_level3(torch.cat([self.up4_3(d), e3], 1))
        d = self.decoder_level3(d, z_rex)
        d = self.reduce_chan_level2(torch.cat([self.up3_2(d), e2], 1))
        d = self.decoder_level2(d, z_rex)
        u1 = self.up2_1(d)
        d = self.decoder_level1(torch.cat([u1, e1], 1), z_rex)
        out = self.output(self.refinement(d, z_img))
        if self.global_residual:
            out = out + x
        outs = (out, )
        if with_aux:
            decom_img = self.retinex_head(e1)[2]
            refl, illum, _ = self.retinex_head(u1)
            outs += (decom_img, torch.cat([refl, illum], 1))
        return tuple(t[..., :h, :w] for t in outs)
