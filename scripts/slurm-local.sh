#!/usr/bin/env bash
# A one-machine Slurm cluster for tests and trials: munge, slurmctld and slurmd with their state,
# spool, logs and pid files in DIR, on free ports. Needs Debian's slurm-wlm and munge (setup.sh
# installs them) and root (the daemons run as root; no systemd is needed).
#
#   scripts/slurm-local.sh start DIR    # prints the path of DIR/slurm.conf; export SLURM_CONF=that
#   scripts/slurm-local.sh stop DIR     # stops the daemons by their pid files
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop() {
    for pid_file in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
        if [[ -s "$pid_file" ]]; then
            kill "$(cat "$pid_file")" 2>/dev/null || true
        fi
    done
    # Give them a moment, then make sure.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        alive=0
        for pid_file in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
            [[ -s "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null && alive=1
        done
        ((alive)) || break
        sleep 0.3
    done
    for pid_file in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
        [[ -s "$pid_file" ]] && kill -9 "$(cat "$pid_file")" 2>/dev/null || true
    done
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
stop)
    stop
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

for tool in munged slurmctld slurmd sbatch squeue scontrol; do
    command -v "$tool" >/dev/null || { echo "slurm-local: $tool is missing: run scripts/setup.sh (Debian slurm-wlm, munge)" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "slurm-local: the daemons of this one-machine cluster run as root" >&2; exit 1; }

mkdir -p "$dir/state" "$dir/spool"
dir=$(cd "$dir" && pwd)
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)

# munge: the package made its key; the daemon may already run (it serves every cluster here).
if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge
    chown munge:munge /run/munge 2>/dev/null || true
    munged --force
fi

ctl_port=$(free_port)
d_port=$(free_port)
while [[ "$d_port" == "$ctl_port" ]]; do d_port=$(free_port); done
cat >"$dir/slurm.conf" <<EOF
ClusterName=pathscope
SlurmctldHost=$host
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
JobCompType=jobcomp/none
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -i
slurmd
# Ready when the node answers as idle (or mixed/allocated).
for _ in $(seq 1 100); do
    if sinfo -h -o '%T' 2>/dev/null | grep -Eq 'idle|mixed|alloc'; then
        echo "$SLURM_CONF"
        exit 0
    fi
    sleep 0.2
done
echo "slurm-local: the node did not come up; logs in $dir" >&2
stop
exit 1
