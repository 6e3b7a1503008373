//! Choosing the mask: the spec's penalty for patterns that confuse a reader.

use super::matrix::Matrix;

/// The spec's penalty score (ISO/IEC 18004, 7.8.3): long runs, 2×2 blocks, finder-like
/// patterns and an unbalanced dark share. Outside the symbol counts as light.
pub(super) fn penalty(m: &Matrix) -> u32 {
    let size = m.size;
    let d = &m.dark;
    let mut score = 0;
    // Each row, then each column. Eight masks are scored before the QR shows, so each line
    // is read once, module by module; the tests hold it to the rules read literally.
    for a in 0..size {
        score += line_score((0..size).map(|b| d[a * size + b]));
        score += line_score((0..size).map(|b| d[b * size + a]));
    }
    for y in 0..size - 1 {
        for x in 0..size - 1 {
            let i = y * size + x;
            let c = d[i];
            if d[i + 1] == c && d[i + size] == c && d[i + size + 1] == c {
                score += 3;
            }
        }
    }
    let dark = d.iter().filter(|&&d| d).count();
    let total = size * size;
    // 10 points for each full 5% away from half dark.
    let deviation = (dark * 20).abs_diff(total * 10);
    score += 10 * (deviation / total) as u32;
    score
}

/// The last 15 modules seen as bits, the newest lowest: a finder-like 1:1:3:1:1 core
/// (1011101) with four light modules before it, or after it.
const FINDER_CORE: u32 = 0b1011101 << 4;
const LIGHT_BEFORE: u32 = 0x7FF0;
const LIGHT_AFTER: u32 = 0x07FF;

/// A row's or column's runs of five or more, and its finder-like patterns. The window starts
/// light (the four light modules before the line) and takes four more after it; a core
/// reaching outside the line would need a dark module there, so no window is ever miscounted.
fn line_score(line: impl Iterator<Item = bool>) -> u32 {
    let mut score = 0;
    let mut window = 0u32;
    let finder =
        |window: u32| u32::from(window & LIGHT_BEFORE == FINDER_CORE || window & LIGHT_AFTER == FINDER_CORE) * 40;
    let runs = |run: u32| if run >= 5 { run - 2 } else { 0 };
    let (mut run, mut last) = (0, None);
    for dark in line {
        if last == Some(dark) {
            run += 1;
        } else {
            score += runs(run);
            (run, last) = (1, Some(dark));
        }
        window = (window << 1 | u32::from(dark)) & 0x7FFF;
        score += finder(window);
    }
    score += runs(run);
    for _ in 0..4 {
        window = (window << 1) & 0x7FFF;
        score += finder(window);
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];

    /// The rules read literally, module by module, each finder position checked once.
    fn literal(m: &Matrix) -> u32 {
        let size = m.size;
        let mut score = 0;
        for horizontal in [true, false] {
            for a in 0..size {
                let at = |b: isize| -> bool {
                    if b < 0 || b >= size as isize {
                        return false;
                    }
                    let b = b as usize;
                    if horizontal { m.is_dark(b, a) } else { m.is_dark(a, b) }
                };
                let mut run = 1;
                for b in 1..=size as isize {
                    if b < size as isize && at(b) == at(b - 1) {
                        run += 1;
                    } else {
                        if run >= 5 {
                            score += 3 + (run - 5);
                        }
                        run = 1;
                    }
                }
                for b in 0..size as isize - 6 {
                    let core = FINDER.iter().enumerate().all(|(k, &d)| at(b + k as isize) == d);
                    let light = |from: isize| (from..from + 4).all(|k| !at(k));
                    if core && (light(b - 4) || light(b + 7)) {
                        score += 40;
                    }
                }
            }
        }
        for y in 0..size - 1 {
            for x in 0..size - 1 {
                let c = m.is_dark(x, y);
                if m.is_dark(x + 1, y) == c && m.is_dark(x, y + 1) == c && m.is_dark(x + 1, y + 1) == c {
                    score += 3;
                }
            }
        }
        let dark = (0..size * size).filter(|i| m.is_dark(i % size, i / size)).count();
        score + 10 * ((dark * 20).abs_diff(size * size * 10) / (size * size)) as u32
    }

    #[test]
    fn scores_as_the_rules_read() {
        // Every mask of real codes at several versions: runs, blocks and finder-like patterns
        // at the edges and inside.
        for (version, len) in [(1, 10), (3, 40), (5, 67), (10, 200), (25, 900)] {
            let data: Vec<u8> = (0..len).map(|i| (i * 13 + version) as u8).collect();
            for mask in 0..8 {
                let m = super::super::encode_with(&data, version, mask).unwrap();
                assert_eq!(penalty(&m), literal(&m), "version {version} mask {mask}");
            }
        }
        assert_eq!(penalty(&Matrix::light(21)), literal(&Matrix::light(21)));
    }

    #[test]
    fn penalty_counts_runs_blocks_and_balance() {
        // An all-light 21×21 square: every row and column is one run of 21, every 2×2 block
        // is uniform, and it is 50 points from half dark.
        let m = Matrix::light(21);
        assert_eq!(penalty(&m), 42 * (3 + 16) + 400 * 3 + 100);
    }
}
