//! CUDA versions of images and wheels, and NVIDIA's driver requirements.
//!
//! Source: NVIDIA's CUDA Toolkit release notes, table "CUDA Toolkit and Corresponding
//! Driver Versions" (Linux x86_64, the GA release of each toolkit), and the "minor version
//! compatibility" floors (CUDA 11.x runs on >= 450.80.02, 12.x on >= 525.60.13, 13.x on
//! >= 580.65.06, with limitations: no PTX JIT of newer code).
//!
//! NGC container releases map to the CUDA they ship per NVIDIA's framework support matrix.

/// A driver version, e.g. `535.104.05` -> `[535, 104, 5]`.
pub fn parse_driver(s: &str) -> Option<[u32; 3]> {
    let mut it = s.trim().split('.');
    let a = it.next()?.parse().ok()?;
    let b = it.next().map_or(Some(0), |x| x.parse().ok())?;
    let c = it.next().map_or(Some(0), |x| x.parse().ok())?;
    Some([a, b, c])
}

/// Minimum Linux driver for CUDA `major.minor` (GA release).
pub fn min_driver(major: u32, minor: u32) -> Option<[u32; 3]> {
    let t: &[((u32, u32), [u32; 3])] = &[
        ((13, 0), [580, 65, 6]),
        ((12, 9), [575, 51, 3]),
        ((12, 8), [570, 26, 0]),
        ((12, 6), [560, 28, 3]),
        ((12, 5), [555, 42, 2]),
        ((12, 4), [550, 54, 14]),
        ((12, 3), [545, 23, 6]),
        ((12, 2), [535, 54, 3]),
        ((12, 1), [530, 30, 2]),
        ((12, 0), [525, 60, 13]),
        ((11, 8), [520, 61, 5]),
        ((11, 7), [515, 43, 4]),
        ((11, 6), [510, 39, 1]),
        ((11, 5), [495, 29, 5]),
        ((11, 4), [470, 42, 1]),
        ((11, 3), [465, 19, 1]),
        ((11, 2), [460, 27, 3]),
        ((11, 1), [455, 23, 0]),
        ((11, 0), [450, 36, 6]),
        ((10, 2), [440, 33, 0]),
        ((10, 1), [418, 39, 0]),
        ((10, 0), [410, 48, 0]),
        ((9, 2), [396, 26, 0]),
        ((9, 1), [390, 46, 0]),
        ((9, 0), [384, 81, 0]),
    ];
    if let Some((_, d)) = t.iter().find(|((a, b), _)| *a == major && *b == minor) {
        return Some(*d);
    }
    // Unknown minor of a known major (a newer 12.x, say): the newest known of that major.
    t.iter().find(|((a, b), _)| *a == major && *b < minor).map(|(_, d)| *d)
}

/// The driver floor for a CUDA major under minor version compatibility.
pub fn compat_floor(major: u32) -> Option<[u32; 3]> {
    match major {
        11 => Some([450, 80, 2]),
        12 => Some([525, 60, 13]),
        13 => Some([580, 65, 6]),
        _ => None,
    }
}

/// CUDA shipped by an NGC container release `yy.mm` (nvcr.io/nvidia/pytorch:24.01-py3).
pub fn ngc_cuda(release: &str) -> Option<(u32, u32)> {
    let (y, m) = release.split_once('.')?;
    let y: u32 = y.parse().ok()?;
    let m: u32 = m.get(..2).unwrap_or(m).parse().ok()?;
    let v = match (y, m) {
        (21, 1..=2) => (11, 2),
        (21, 3..=5) => (11, 3),
        (21, 6..=8) => (11, 4),
        (21, 9..=10) => (11, 4),
        (21, 11..=12) => (11, 5),
        (22, 1..=4) => (11, 6),
        (22, 5..=8) => (11, 7),
        (22, 9..=12) => (11, 8),
        (23, 1..=2) => (12, 0),
        (23, 3..=7) => (12, 1),
        (23, 8..=10) => (12, 2),
        (23, 11..=12) => (12, 3),
        (24, 1..=2) => (12, 3),
        (24, 3..=5) => (12, 4),
        (24, 6..=7) => (12, 5),
        (24, 8..=12) => (12, 6),
        (25, 1..=3) => (12, 8),
        (25, 4..=6) => (12, 9),
        (25, 7..=12) => (13, 0),
        _ => return None,
    };
    Some(v)
}

/// The CUDA `major.minor` an image reference names, if it says.
pub fn image_cuda(image: &str) -> Option<(u32, u32)> {
    let lower = image.to_ascii_lowercase();
    let (repo, tag) = match lower.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r.to_string(), t.to_string()),
        _ => (lower.clone(), String::new()),
    };
    // nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
    if repo.ends_with("nvidia/cuda") || repo.ends_with("/cuda") || repo == "cuda" {
        return major_minor(&tag);
    }
    // `cuda12.1`, `cuda-12.1`, `cuda_12.1`, `cu121`, `cu118` anywhere in the reference.
    for (i, _) in lower.match_indices("cuda") {
        let rest = lower[i + 4..].trim_start_matches(['-', '_']);
        if let Some(v) = major_minor(rest) {
            return Some(v);
        }
    }
    if let Some(v) = cu_code(&lower) {
        return Some(v);
    }
    // NGC frameworks: nvcr.io/nvidia/pytorch:24.01-py3
    if repo.starts_with("nvcr.io/nvidia/") {
        return ngc_cuda(&tag);
    }
    None
}

/// `cu121` -> 12.1, `cu118` -> 11.8 (PyTorch wheel tags), anywhere in `s` after a
/// non-alphanumeric character.
pub fn cu_code(s: &str) -> Option<(u32, u32)> {
    let b = s.as_bytes();
    for (i, _) in s.match_indices("cu") {
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let digits: String = s[i + 2..].chars().take_while(|c| c.is_ascii_digit()).collect();
        let after = s[i + 2 + digits.len()..].chars().next();
        if after.is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        match digits.len() {
            3 => return Some((digits[..2].parse().ok()?, digits[2..].parse().ok()?)),
            2 => return Some((digits[..1].parse().ok()?, digits[1..].parse().ok()?)),
            _ => {}
        }
    }
    None
}

/// `12.4.1-devel` -> (12, 4).
fn major_minor(s: &str) -> Option<(u32, u32)> {
    let mut it = s.split(|c: char| !c.is_ascii_digit());
    let a: u32 = it.next()?.parse().ok()?;
    let rest = &s[a.to_string().len()..];
    let rest = rest.strip_prefix('.')?;
    let b: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let b: u32 = b.parse().ok()?;
    (7..=20).contains(&a).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        assert_eq!(image_cuda("nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04"), Some((12, 4)));
        assert_eq!(image_cuda("pytorch/pytorch:2.2.1-cuda12.1-cudnn8-runtime"), Some((12, 1)));
        assert_eq!(image_cuda("nvcr.io/nvidia/pytorch:24.01-py3"), Some((12, 3)));
        assert_eq!(image_cuda("ghcr.io/x/y:torch2.1-cu118"), Some((11, 8)));
        assert_eq!(image_cuda("python:3.11-slim"), None);
        assert_eq!(image_cuda("ubuntu:22.04"), None);
        assert_eq!(image_cuda("nvidia/cuda"), None);
        assert_eq!(cu_code("https://download.pytorch.org/whl/cu121"), Some((12, 1)));
        assert_eq!(cu_code("torch==2.1.0+cu118"), Some((11, 8)));
        assert_eq!(cu_code("curl"), None);
        assert_eq!(parse_driver("535.104.05"), Some([535, 104, 5]));
        assert_eq!(min_driver(12, 4), Some([550, 54, 14]));
        assert_eq!(min_driver(12, 7), Some([560, 28, 3]));
    }
}
