/**
 * Decisions of the pull-request workflows, as pure functions over what they read from the repository (open pull
 * requests, preview branches), so they are tested offline; the workflows only fetch the inputs and carry out the
 * result.
 */

/** What the workflows know about one open pull request. */
export interface OpenPullRequest {
  readonly number: number;
  readonly labels: readonly string[];
  /** When its head commit was committed (ISO 8601). */
  readonly headCommittedAt: string;
  /** Its head is in a fork: the workflow token cannot write this repository for it, so it gets no preview. */
  readonly fork?: boolean;
}

export interface LifecycleSettings {
  readonly label: string;
  readonly branchPrefix: string;
  readonly ttlHours: number;
  readonly maxConcurrent: number;
}

/** The number of the pull request a preview branch belongs to, or undefined for any other branch. */
export function branchNumber(branch: string, prefix: string): number | undefined {
  if (!branch.startsWith(prefix)) return undefined;
  const rest = branch.slice(prefix.length);
  return /^[1-9][0-9]*$/.test(rest) ? Number(rest) : undefined;
}

export type RenderDecision =
  /** `claim`: a new preview, whose branch the workflow creates at once (see `confirmClaim`). */
  | { readonly render: true; readonly claim: boolean; readonly reason: string }
  | { readonly render: false; readonly reason: string; readonly removeLabel: boolean; readonly deleteBranch: boolean };

/**
 * Whether the workflow renders pull request `pr` now. Only a labelled pull request from this repository gets a
 * preview; an existing preview is always re-rendered; a new one only while fewer than `maxConcurrent` preview
 * branches exist (each preview's branch exists from its first render until teardown). Refusing removes the label, so
 * the ApplicationSet never generates an Application without manifests.
 */
export function decideRender(pr: OpenPullRequest, branches: readonly string[], s: LifecycleSettings): RenderDecision {
  const own = `${s.branchPrefix}${pr.number}`;
  const exists = branches.includes(own);
  if (!pr.labels.includes(s.label)) {
    return {
      render: false,
      reason: `no "${s.label}" label: no preview`,
      removeLabel: false,
      deleteBranch: exists,
    };
  }
  if (pr.fork) {
    return {
      render: false,
      reason: 'its head is in a fork, whose workflows cannot publish a preview branch here',
      removeLabel: false,
      deleteBranch: false,
    };
  }
  if (exists) {
    return { render: true, claim: false, reason: 'its preview exists: rendered again' };
  }
  const others = branches.filter((b) => branchNumber(b, s.branchPrefix) !== undefined).length;
  if (others >= s.maxConcurrent) {
    return {
      render: false,
      reason: `${others} previews exist and previews.maxConcurrent is ${s.maxConcurrent}; close one, or raise the limit (and the AWS quotas it stands for)`,
      removeLabel: true,
      deleteBranch: false,
    };
  }
  return { render: true, claim: true, reason: `a new preview (${others + 1} of at most ${s.maxConcurrent})` };
}

export type ClaimCheck =
  { readonly keep: true; readonly reason: string } | { readonly keep: false; readonly reason: string };

/**
 * The re-check after pull request `pr` claimed a new preview by creating its branch: `branches` is listed after the
 * claim. The workflow decides and claims inside one concurrency group, so runs are serial and this holds; it guards
 * against a claim made outside that group (a run of an older version of the workflow, a branch pushed by hand).
 * Over the limit, the claim is withdrawn, whichever run got there first: two racing runs may both withdraw, but the
 * limit is never exceeded by a preview that renders. Claims hold no manifests, so nothing was created in AWS.
 */
export function confirmClaim(pr: OpenPullRequest, branches: readonly string[], s: LifecycleSettings): ClaimCheck {
  const own = `${s.branchPrefix}${pr.number}`;
  const previews = branches.filter((b) => branchNumber(b, s.branchPrefix) !== undefined);
  if (!previews.includes(own)) {
    return {
      keep: false,
      reason: `its branch ${own} is gone (deleted while it was being claimed); add the label again`,
    };
  }
  if (previews.length > s.maxConcurrent) {
    return {
      keep: false,
      reason: `${previews.length} previews were claimed at the same time and previews.maxConcurrent is ${s.maxConcurrent}; add the label again when one closes`,
    };
  }
  return { keep: true, reason: `claimed (${previews.length} of at most ${s.maxConcurrent})` };
}

export interface ExpiryPlan {
  /** Pull requests whose preview expired: the label is removed and the branch deleted. */
  readonly expire: readonly number[];
  /** Preview branches no open, labelled pull request owns any more (a teardown that did not run). */
  readonly deleteBranches: readonly string[];
}

/**
 * The scheduled clean-up: a labelled pull request with no commit for `ttlHours` loses its label and branch; a
 * preview branch without an open, labelled pull request is deleted. The ApplicationSet then stops generating the
 * Application and Argo CD deletes it with its resources.
 */
export function planExpiry(
  now: Date,
  pulls: readonly OpenPullRequest[],
  branches: readonly string[],
  s: LifecycleSettings,
): ExpiryPlan {
  const limit = s.ttlHours * 3600_000;
  const labelled = pulls.filter((p) => p.labels.includes(s.label));
  const expire = labelled
    .filter((p) => now.getTime() - Date.parse(p.headCommittedAt) >= limit)
    .map((p) => p.number)
    .sort((a, b) => a - b);
  const live = new Set(labelled.filter((p) => !expire.includes(p.number)).map((p) => p.number));
  const deleteBranches = branches
    .filter((b) => {
      const n = branchNumber(b, s.branchPrefix);
      return n !== undefined && !live.has(n);
    })
    .sort();
  return { expire, deleteBranches };
}
