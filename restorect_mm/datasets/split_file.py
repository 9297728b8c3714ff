"""Split files: plain text lists of the input (LQ) images that form one
split of a dataset published without an official train / test split
(UIEB, LSUI), as written by ``tools/dataset_converters/make_split.py``.

Format: one LQ file name (``10_img_.png``) or stem (``10_img_``) per line;
blank lines and lines starting with ``#`` are ignored; only the first
whitespace-separated field counts, so ``"lq_name gt_name"`` lines work too.
"""
import os.path as osp
from typing import Callable, Dict, Hashable, List, Sequence, Tuple

from .image_folder import DatasetLayoutError, DatasetNotFoundError


def read_split_file(path: str, owner: str) -> List[Tuple[int, str]]:
    """Read the names of a split file.

    Args:
        path: The split file.
        owner: Class or tool named in error messages.

    Returns:
        list[tuple[int, str]]: ``(line_number, name)``, 1-based line numbers,
        in file order.

    Raises:
        DatasetNotFoundError: The file does not exist.
        DatasetLayoutError: The file lists no name, or a name twice.
    """
    if not osp.isfile(path):
        raise DatasetNotFoundError(
            f'{owner}: split file {path!r} does not exist; write it with '
            'tools/dataset_converters/make_split.py or fix split_file')
    entries, seen = [], {}
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, start=1):
            fields = line.split()
            if not fields or fields[0].startswith('#'):
                continue
            name = fields[0]
            if name in seen:
                raise DatasetLayoutError(
                    f'{owner}: split file {path!r} lists {name!r} twice '
                    f'(lines {seen[name]} and {number}); remove one')
            seen[name] = number
            entries.append((number, name))
    if not entries:
        raise DatasetLayoutError(
            f'{owner}: split file {path!r} lists no names; it needs one LQ '
            'file name per line')
    return entries


def select_by_split(keys: Sequence[Hashable], name_of: Callable[[Hashable],
                                                                 str],
                    entries: List[Tuple[int, str]], split_path: str,
                    folder: str) -> List[Hashable]:
    """Keep the keys whose LQ file is listed in a split file.

    Args:
        keys: Candidate sample keys, in the order to keep.
        name_of: Maps a key to its LQ file name.
        entries: :func:`read_split_file` output.
        split_path: The split file, named in errors.
        folder: The LQ folder, named in errors.

    Returns:
        list: The listed keys, in the order of ``keys``.

    Raises:
        DatasetLayoutError: A listed name matches no LQ file.
    """
    by_name: Dict[str, Hashable] = {}
    for key in keys:
        name = name_of(key)
        by_name[name] = key
        by_name.setdefault(osp.splitext(name)[0], key)
    missing = [(n, name) for n, name in entries if name not in by_name]
    if missing:
        shown = ', '.join(f'line {n}: {name!r}' for n, name in missing[:5])
        more = f' (and {len(missing) - 5} more)' if len(missing) > 5 else ''
        raise DatasetLayoutError(
            f'split file {split_path!r}: {len(missing)} name(s) match no '
            f'LQ image of a complete pair in {folder!r} ({shown}{more}); '
            'regenerate the split for these folders or fix the names')
    chosen = {by_name[name] for _, name in entries}
    return [k for k in keys if k in chosen]
