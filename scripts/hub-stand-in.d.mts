export interface StandInRepo {
  files: Record<string, Buffer | Uint8Array>;
  commit?: string;
  gated?: boolean;
  token?: string;
}
export interface HubStandIn {
  url: string;
  /** 'METHOD path [range]' per request, in order. */
  requests: string[];
  close(): Promise<void>;
}
export function startHubStandIn(
  repos: Record<string, StandInRepo>,
  options?: { cuts?: number; cutAfter?: number; corrupt?: boolean; port?: number },
): Promise<HubStandIn>;
export function folderFiles(dir: string): Record<string, Buffer>;
export function exampleRepos(): Record<string, StandInRepo>;
