//! QR codes of payment URIs, as SVG markup the widget builds itself: one path of unit squares
//! (no user text inside, and none of the generic renderer's code in the bundle).

use qrcode::{Color, QrCode};

/// Modules of white border around the code (the quiet zone QR readers need).
const QUIET: usize = 4;

/// An SVG QR code of `text`, or `None` if it is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let size = width + 2 * QUIET;
    let mut path = String::with_capacity(width * width * 4);
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_svg_with_a_quiet_zone() {
        let text = "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125";
        let s = super::svg(text).unwrap();
        assert!(s.starts_with("<svg"));
        let size = qrcode::QrCode::new(text.as_bytes()).unwrap().width() + 8;
        assert!(s.contains(&format!(r#"viewBox="0 0 {size} {size}""#)), "{}", &s[..120]);
        assert!(s.contains("M4 4h1v1h-1z"), "the finder pattern's first module is dark");
    }
}
