// The container runtime interface the node agent drives, shaped after the CRI's
// container calls. The process runtime (process.ts) runs each container as a host process;
// another runtime only has to implement this interface and pass runtime.contract.ts.

export interface Mount {
  /** Directory or file on the host (prepared by the agent's volume code). */
  hostPath: string;
  /** Where the container sees it. */
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerConfig {
  podUid: string;
  podName: string;
  podNamespace: string;
  containerName: string;
  /** Restart count of this container, part of its id and log file name (upstream: <restart>.log). */
  attempt: number;
  image: string;
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  workingDir?: string;
  mounts: Mount[];
  /** The Pod's own loopback address (127.x.y.z): the container binds its ports there. */
  podIP: string;
  /**
   * The Pod's resolv.conf (a host file), seen by the container at /etc/resolv.conf; without
   * namespaces its path is in UNYO_RESOLV_CONF instead. Unset: the host's resolver.
   */
  resolvConf?: string;
  /** containerPorts of the container (built-in images listen on the first one). */
  ports: number[];
  /** The Pod's hostname (its name, or spec.hostname). */
  hostname: string;
  /** CRI-format log file the container's stdout/stderr go to. */
  logPath: string;
  /** Keep stdin open for attach (spec.stdin). */
  stdin?: boolean;
  tty?: boolean;
}

export type ContainerState = 'created' | 'running' | 'exited';

export interface ContainerStatus {
  id: string;
  /** Whose container this is (the CRI's container labels), so a restarted agent can re-adopt it. */
  podUid?: string;
  containerName?: string;
  attempt?: number;
  state: ContainerState;
  pid?: number;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** Why it exited when the runtime knows (Completed, Error, OOMKilled, ...). */
  reason?: string;
  message?: string;
}

/** An error the runtime reports with an upstream reason: ErrImagePull, CreateContainerError, RunContainerError. */
export class RuntimeError extends Error {
  constructor(readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'CreateContainerError' | 'RunContainerError' | 'CreateContainerConfigError', message: string) {
    super(message);
  }
}

export interface TerminalSize {
  width: number;
  height: number;
}

/** Emits 'resize' with a TerminalSize whenever the client's terminal changes size. */
export interface TerminalSizes extends NodeJS.EventEmitter {
  /** The latest size received (it may come before the command starts). */
  readonly last?: TerminalSize;
}

export interface ExecOptions {
  command: string[];
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Run the command on a terminal (its output all comes on stdout). */
  tty?: boolean;
  /** The client's terminal size: the latest one known, then each change. */
  resize?: TerminalSizes;
  /** Aborting kills the command (the client went away). */
  signal?: AbortSignal;
}

export interface AttachOptions {
  /** Written to the container's stdin, when its spec keeps stdin open. */
  stdin?: NodeJS.ReadableStream;
  /** The container's output from now on. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  tty?: boolean;
  /** Aborting detaches. */
  signal?: AbortSignal;
}

export interface ContainerStats {
  /** Cumulative CPU time in nanoseconds. */
  cpuNanos: number;
  /** Resident memory in bytes. */
  memoryBytes: number;
  timestamp: string;
}

export interface Runtime {
  /** Check that an image can be run ("pull"): built-in images, or any image with a command. */
  pullImage(image: string, command?: string[]): Promise<void>;
  /** Create and start a container; returns its id. Throws RuntimeError with the reason upstream would give. */
  startContainer(config: ContainerConfig): Promise<string>;
  /** SIGTERM the container's processes, SIGKILL after gracePeriodSeconds. Resolves when it has exited. */
  stopContainer(id: string, gracePeriodSeconds: number): Promise<void>;
  /** Forget an exited container (its log file stays until the pod is removed). */
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): ContainerStatus | undefined;
  /** Every container this runtime knows, including ones started before an agent restart (re-adopted). */
  listContainers(): ContainerStatus[];
  /** Called when a container exits. */
  onExit(listener: (status: ContainerStatus) => void): void;
  /** Run a command inside a running container; resolves with its exit code. */
  exec(id: string, options: ExecOptions): Promise<number>;
  /** Connect to a running container's main process; resolves when it exits or the signal detaches. */
  attach(id: string, options: AttachOptions): Promise<void>;
  stats(id: string): ContainerStats | undefined;
}
