"""Weight selection from a larger RGFormer into a compact one."""
import torch

from restorect_mm.engine.weight_selection import (evenly_spaced,
                                                  init_by_weight_selection,
                                                  select_tensor)
from restorect_mm.models.rgformer import RGFormer


def test_evenly_spaced_strides_whole_ratios_and_keeps_ends_otherwise():
    assert evenly_spaced(8, 4).tolist() == [0, 2, 4, 6]
    assert evenly_spaced(5, 5).tolist() == [0, 1, 2, 3, 4]
    odd = evenly_spaced(10, 4).tolist()
    assert odd[0] == 0 and odd[-1] == 9 and odd == sorted(set(odd))


def test_select_tensor_picks_the_same_indices_in_every_dimension():
    teacher = torch.arange(6 * 4 * 3 * 3).reshape(6, 4, 3, 3).float()
    selected = select_tensor(teacher, (3, 2, 3, 3))
    assert torch.equal(selected, teacher[0::2][:, 0::2])


def test_compact_rgformer_takes_selected_teacher_weights():
    torch.manual_seed(0)
    teacher = RGFormer(dim=16, num_blocks=(2, 2, 2, 2),
                       num_refinement_blocks=2, prior_dim=64,
                       rex_split=(48, 16))
    student = RGFormer(dim=8, num_blocks=(1, 1, 1, 1),
                       num_refinement_blocks=1, prior_dim=64,
                       rex_split=(48, 16))
    before = {k: v.clone() for k, v in student.state_dict().items()}
    selected, kept = init_by_weight_selection(student, teacher.state_dict())
    state = student.state_dict()
    assert selected and set(selected) | set(kept) == set(state)
    # blocks the student lacks are dropped; those it has are sliced
    assert not any('encoder_level1.1.' in name for name in selected)
    embed = 'patch_embed.weight'
    assert embed in selected
    assert torch.equal(state[embed], teacher.state_dict()[embed][0::2])
    changed = [k for k in selected
               if not torch.equal(before[k], state[k])]
    assert len(changed) > len(selected) // 2
    # the selected student still restores an image of any size
    img = torch.rand(1, 3, 24, 40)
    z_rex, z_img = torch.rand(1, 64), torch.rand(1, 64)
    with torch.no_grad():
        out = student(img, z_rex, z_img)
    out = out[0] if isinstance(out, (tuple, list)) else out
    assert out.shape == (1, 3, 24, 40) and torch.isfinite(out).all()
