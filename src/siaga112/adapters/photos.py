"""A caller's photo, made safe to keep: decoded by Pillow and re-encoded as a plain JPEG.

Re-encoding keeps only the pixels: EXIF (with the phone's GPS, model, serial and time),
XMP, ICC profiles and any bytes smuggled after the image are left behind. The picture is
turned upright first (the EXIF orientation), shrunk to the center's size limit, and
anything Pillow does not read as a JPEG, PNG, WebP or GIF image is refused.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from siaga112.services.location_link_ports import CleanPhoto, PhotoRefused

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded


def clean_photo(data: bytes, *, max_side_px: int, quality: int) -> CleanPhoto:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoRefused("the photo has too many pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, ValueError, SyntaxError) as exc:
        raise PhotoRefused(f"not an image we can read (JPEG, PNG, WebP): {exc}") from None
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, "white")  # transparency on white
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    upright.thumbnail((max_side_px, max_side_px), Image.Resampling.LANCZOS)
    upright.info = {}  # Pillow carries a JPEG comment over from .info: drop it all
    out = io.BytesIO()
    # No exif=, icc_profile= or comment: the new file carries nothing but the pixels.
    upright.save(out, format="JPEG", quality=quality, optimize=True)
    return CleanPhoto(content=out.getvalue(), media_type="image/jpeg",
                      width=upright.width, height=upright.height)
