//! Sweeps on a real Slurm cluster: a one-machine cluster (scripts/slurm-local.sh: munge,
//! slurmctld, slurmd, as root) runs the sbatch script of `pathscope sweep slurm` as a job array;
//! one task is requeued mid-run; the collected results equal a local `sweep run` of the same file,
//! bit for bit. The daemons are stopped at the end, pass or fail. Needs Debian's slurm-wlm and
//! munge (scripts/setup.sh installs them) and root.
#![cfg(all(unix, not(target_arch = "wasm32")))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use pathscope::sweep::ResultLine;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pathscope(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_pathscope")).args(args).output().expect("run pathscope");
    assert_eq!(o.status.code(), Some(0), "pathscope {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The one-machine cluster; stopped when dropped, whatever happened.
struct Cluster {
    dir: PathBuf,
    conf: String,
}

impl Cluster {
    fn start(dir: &Path) -> Cluster {
        let o = Command::new("bash")
            .arg(root().join("scripts/slurm-local.sh"))
            .args(["start", dir.to_str().unwrap()])
            .output()
            .expect("run scripts/slurm-local.sh");
        assert!(
            o.status.success(),
            "the one-machine Slurm cluster did not start (scripts/setup.sh installs slurm-wlm and munge; root is needed): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let conf = String::from_utf8_lossy(&o.stdout).trim().lines().last().unwrap_or_default().to_string();
        Cluster { dir: dir.to_path_buf(), conf }
    }

    fn run(&self, cmd: &str, args: &[&str]) -> Output {
        Command::new(cmd).args(args).env("SLURM_CONF", &self.conf).output().unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    fn ok(&self, cmd: &str, args: &[&str]) -> String {
        let o = self.run(cmd, args);
        assert!(o.status.success(), "{cmd} {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(root().join("scripts/slurm-local.sh"))
            .args(["stop", self.dir.to_str().unwrap()])
            .status();
    }
}

const SWEEP: &str = r#"
name = "slurmtest"
preset = "quick"
seeds = "0-1"
arms = ["curriculum", "scratch"]
[set]
"data.n" = 512
"schedule.phases" = [{ p = 2, epochs = 60 }, { p = 4, epochs = 60 }]
"#;

fn results(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("results.jsonl")).unwrap();
    text.lines()
        .map(|l| {
            let mut r = ResultLine::parse(l).unwrap();
            r.wall_seconds = 0.0;
            r.made_by.clear();
            r.to_json()
        })
        .collect()
}

#[test]
fn a_sweep_runs_as_a_slurm_job_array_survives_a_requeue_and_equals_a_local_run() {
    let tmp = std::env::temp_dir().join(format!("pathscope-slurm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let file = tmp.join("sweep.toml");
    std::fs::write(&file, SWEEP).unwrap();
    let (file, on_slurm, local) = (file.to_str().unwrap(), tmp.join("on-slurm"), tmp.join("local"));

    let cluster = Cluster::start(&tmp.join("cluster"));
    let out = pathscope(&["sweep", "slurm", file, "--out", on_slurm.to_str().unwrap(), "--max-parallel", "2"]);
    assert!(out.contains("sbatch "), "{out}");
    let script = on_slurm.join("slurm/sweep.sbatch");
    let text = std::fs::read_to_string(&script).unwrap();
    for line in ["#SBATCH --array=0-3%2", "#SBATCH --requeue", "--task \"$SLURM_ARRAY_TASK_ID\" --tasks 4"] {
        assert!(text.contains(line), "the script lacks '{line}':\n{text}");
    }
    let job = cluster.ok("sbatch", &["--parsable", script.to_str().unwrap()]).trim().to_string();

    // Requeue the first task seen running, mid-run: Slurm kills it and starts it again.
    let deadline = Instant::now() + Duration::from_secs(120);
    let requeued = loop {
        assert!(Instant::now() < deadline, "no task of job {job} started");
        let running = cluster.ok("squeue", &["-h", "-j", &job, "-t", "R", "-o", "%i"]);
        if let Some(task) = running.lines().map(str::trim).find(|t| !t.is_empty()) {
            std::thread::sleep(Duration::from_millis(300));
            let o = cluster.run("scontrol", &["requeue", task]);
            if o.status.success() {
                break task.to_string();
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Wait for the array to drain.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let left = cluster.ok("squeue", &["-h", "-j", &job, "-o", "%i %T"]);
        if left.trim().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "job {job} did not finish: {left}");
        std::thread::sleep(Duration::from_millis(500));
    }
    let log = std::fs::read_dir(on_slurm.join("slurm/logs"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(log.matches("sweep: ").count() >= 5, "four tasks and one restart logged ({requeued} requeued):\n{log}");
    let status = pathscope(&["sweep", "status", on_slurm.to_str().unwrap()]);
    assert!(status.contains("4 done, 0 running, 0 missing"), "{status}");
    drop(cluster);

    pathscope(&["sweep", "collect", on_slurm.to_str().unwrap()]);
    pathscope(&["sweep", "run", file, "--out", local.to_str().unwrap(), "--jobs", "2"]);
    pathscope(&["sweep", "collect", local.to_str().unwrap()]);
    assert_eq!(results(&on_slurm), results(&local), "the cluster's results are the local run's, bit for bit");
}
