//! The team link as a QR code, for people joining from a phone in a meeting room.

use qrcode::QrCode;
use qrcode::render::svg;

/// An SVG QR code of `url` (dark modules on white, with the standard quiet zone), or `None`
/// for a text too long to encode.
#[must_use]
pub fn svg(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_room_link_becomes_an_svg_code() {
        let image = super::svg("http://127.0.0.1:8080/r/3f2b8c1e-6d4a-4f7b-9c2e-1a5d8e7f6b40");
        let image = image.unwrap_or_default();
        assert!(image.starts_with("<?xml"), "{image}");
        assert!(image.contains("<svg"));
        assert!(
            super::svg(&"x".repeat(10_000)).is_none(),
            "too long for a QR code"
        );
    }
}
