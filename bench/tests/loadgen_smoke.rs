//! Keeps the load generator from rotting: a smoke run (a few rooms for a few seconds) of every
//! scenario against the baseline, the baseline with room tasks and Ready Room must finish and
//! report numbers. It asserts nothing about
//! speed, only that each figure was measured.

use std::process::Command;

use serde_json::Value;

#[test]
fn smoke_run_measures_every_scenario_against_every_server() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("loadgen.json");
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(["--smoke", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "loadgen failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("ratio"), "no table printed:\n{stdout}");

    let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let scenarios = report["scenarios"].as_array().unwrap();
    let names: Vec<&str> = scenarios
        .iter()
        .map(|s| s["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "idle",
            "meeting",
            "meeting-replace",
            "reveal-storm",
            "join-storm"
        ]
    );
    for scenario in scenarios {
        let name = scenario["scenario"].as_str().unwrap();
        for target in ["baseline", "room-task", "readyroom"] {
            let figures = &scenario["results"][target];
            let participants = figures["participants"].as_u64().unwrap();
            assert!(participants > 0, "{name}/{target}: {figures}");
            assert_eq!(figures["errors"], 0, "{name}/{target}: {figures}");
            assert_eq!(figures["disconnects"], 0, "{name}/{target}: {figures}");
            assert!(figures["rss_after_kib"].as_u64().unwrap() > 0);
            let count = |latency: &str| figures[latency]["count"].as_u64().unwrap_or(0);
            match name {
                "idle" => assert!(figures["rss_per_participant_kib"].is_number()),
                "meeting" | "meeting-replace" => {
                    assert!(count("fanout") > 0, "{name}/{target}: no edit delivered");
                    assert!(figures["edit_event_bytes"].as_f64().unwrap() > 0.0);
                    assert!(figures["commands_per_s"].as_f64().unwrap() > 0.0);
                    assert!(figures["events_per_s"].as_f64().unwrap() > 0.0);
                }
                "reveal-storm" => {
                    // Two storms, each seen by every member but the facilitator.
                    let rooms = scenario["rooms"].as_u64().unwrap();
                    assert_eq!(
                        count("reveal"),
                        2 * (participants - rooms),
                        "{name}/{target}"
                    );
                }
                "join-storm" => assert_eq!(count("join"), participants, "{name}/{target}"),
                other => panic!("unexpected scenario {other}"),
            }
        }
        assert!(
            scenario["ratios"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{name}: no ratios"
        );
    }
    assert!(!report["targets"].as_array().unwrap().is_empty());
}
