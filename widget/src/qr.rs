//! QR codes of payment URIs, as SVG markup the widget builds itself (no user text inside).

use qrcode::QrCode;
use qrcode::render::svg;

/// An SVG QR code of `text`, or `None` if it is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_svg() {
        let s = super::svg("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125").unwrap();
        assert!(s.starts_with("<?xml") || s.starts_with("<svg"), "{}", &s[..40]);
        assert!(s.contains("<path") || s.contains("<rect"));
    }
}
