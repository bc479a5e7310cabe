//! The loader never panics, whatever it is fed: every seed fixture cut at
//! many points and with bytes replaced must give a result or located errors.

use std::path::Path;

#[test]
fn truncated_and_mangled_configs_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs");
    let mut seed: u64 = 0x5eed;
    let mut next = || {
        // xorshift: deterministic, no dependency
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let specials = [
        b'{', b'}', b'[', b']', b'"', b',', b':', b'#', b'/', b'*', b'\\', b'0',
    ];
    let mut runs = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read(&path).unwrap();
        let step = (text.len() / 40).max(1);
        for cut in (0..text.len()).step_by(step) {
            let s = String::from_utf8_lossy(&text[..cut]);
            let _ = xdhcp_controlplane::load_str("cut.json", &s);
            let mut mangled = text.clone();
            for _ in 0..3 {
                let i = (next() as usize) % mangled.len();
                mangled[i] = specials[(next() as usize) % specials.len()];
            }
            let s = String::from_utf8_lossy(&mangled);
            if let Err(errors) = xdhcp_controlplane::load_str("mangled.json", &s) {
                assert!(!errors.is_empty());
                assert!(errors.iter().all(|e| e.pos.is_some()));
            }
            runs += 2;
        }
    }
    assert!(runs > 10_000, "{runs}");
}
