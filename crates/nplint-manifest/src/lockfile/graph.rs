//! Where a lock installs each package: the marker under which its dependency graph reaches it from the roots.
//!
//! A lock that keeps its dependency graph (`uv.lock`; `poetry.lock` and `pdm.lock` when they record no marker
//! per package) says under which markers an edge holds (`pywin32; sys_platform == 'win32'`), not where each
//! package ends up. The installer walks from the project through the edges whose markers hold on the machine, so
//! a package is installed where some path from a root reaches it: its reachability marker is the OR, over the
//! edges into it, of the parent's reachability marker AND the edge's marker. Cycles are common in real locks
//! (`sphinx` and its contrib packages), so the markers are computed to a fixpoint: each node's marker only grows,
//! and the markers of one lock form a finite lattice, so the iteration ends; it is still bounded, and a graph that
//! has not settled within the bound gives no answer rather than a partial one.

use std::collections::VecDeque;

use pep508_rs::MarkerTree;

/// A lock's dependency graph: nodes are packages (or a package with one extra), edges carry markers.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    /// Every edge: from, to, marker. One flat list (ordered by node when the markers are computed) rather than a
    /// list per node: a 5,000-package lock would allocate 5,000 small vectors.
    edges: Vec<(u32, u32, MarkerTree)>,
    /// Per node, whether an edge leads to it.
    reached: Vec<bool>,
    roots: Vec<usize>,
}

/// How many times, on average, a node's marker may grow before the graph is given up on. Real locks settle in
/// two or three visits per node; a lattice of markers this tall takes a pathological lock.
const MAX_GROWTH_PER_NODE: usize = 64;

impl Graph {
    /// A graph of `nodes` nodes without edges.
    pub fn new(nodes: usize) -> Self {
        Self {
            edges: Vec::with_capacity(nodes),
            reached: vec![false; nodes],
            roots: Vec::new(),
        }
    }

    /// Adds a node and returns it.
    pub fn node(&mut self) -> usize {
        self.reached.push(false);
        self.reached.len() - 1
    }

    pub fn edge(&mut self, from: usize, to: usize, marker: MarkerTree) {
        if marker.is_false() {
            return;
        }
        // Node numbers are package indexes: a lock has far fewer than 2^32 packages (the file is capped at 16 MiB).
        let (Ok(from32), Ok(to32)) = (u32::try_from(from), u32::try_from(to)) else {
            return;
        };
        self.edges.push((from32, to32, marker));
        self.reached[to] = true;
    }

    /// Installs `node` everywhere: the project, a workspace member.
    pub fn root(&mut self, node: usize) {
        self.roots.push(node);
    }

    /// Whether some edge leads to `node`.
    pub fn has_parent(&self, node: usize) -> bool {
        self.reached[node]
    }

    pub fn has_roots(&self) -> bool {
        !self.roots.is_empty()
    }

    /// Per node, the marker under which a root reaches it (`false` for a node no root reaches); `None` when the
    /// markers have not settled within the bound.
    pub fn reach(&self) -> Option<Vec<MarkerTree>> {
        let nodes = self.reached.len();
        // The edges by their origin: `start[node]..start[node + 1]` in `order`.
        let mut start = vec![0usize; nodes + 1];
        for (from, _, _) in &self.edges {
            start[*from as usize + 1] += 1;
        }
        for node in 0..nodes {
            start[node + 1] += start[node];
        }
        let mut next = start.clone();
        let mut order = vec![0usize; self.edges.len()];
        for (index, (from, _, _)) in self.edges.iter().enumerate() {
            order[next[*from as usize]] = index;
            next[*from as usize] += 1;
        }

        let mut reach = vec![MarkerTree::FALSE; nodes];
        let mut queued = vec![false; nodes];
        let mut queue = VecDeque::new();
        for &root in &self.roots {
            reach[root] = MarkerTree::TRUE;
            if !queued[root] {
                queued[root] = true;
                queue.push_back(root);
            }
        }
        let mut budget = MAX_GROWTH_PER_NODE.saturating_mul(nodes.max(1));
        while let Some(node) = queue.pop_front() {
            queued[node] = false;
            let from = reach[node].clone();
            for &index in &order[start[node]..start[node + 1]] {
                let (_, to, marker) = &self.edges[index];
                let to = *to as usize;
                // A package installed everywhere cannot be installed in more places: most of a lock.
                if reach[to].is_true() {
                    continue;
                }
                let mut through = from.clone();
                if !marker.is_true() {
                    through.and(marker.clone());
                }
                let mut grown = reach[to].clone();
                grown.or(through);
                if grown == reach[to] {
                    continue;
                }
                budget = budget.checked_sub(1)?;
                reach[to] = grown;
                if !queued[to] {
                    queued[to] = true;
                    queue.push_back(to);
                }
            }
        }
        Some(reach)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(text: &str) -> MarkerTree {
        text.parse().unwrap()
    }

    fn show(marker: &MarkerTree) -> String {
        marker.try_to_string().unwrap_or_else(|| {
            if marker.is_true() {
                "true".to_owned()
            } else {
                "false".to_owned()
            }
        })
    }

    #[test]
    fn markers_accumulate_along_paths_and_join_across_them() {
        // root -> a (linux) -> c (python < 3.14); root -> b (win32) -> c (python < 3.14); d unreached.
        let mut graph = Graph::new(5);
        graph.root(0);
        graph.edge(0, 1, marker("sys_platform == 'linux'"));
        graph.edge(0, 2, marker("sys_platform == 'win32'"));
        graph.edge(1, 3, marker("python_full_version < '3.14'"));
        graph.edge(2, 3, marker("python_full_version < '3.14'"));
        let reach = graph.reach().unwrap();
        assert!(reach[0].is_true());
        assert_eq!(show(&reach[1]), "sys_platform == 'linux'");
        assert_eq!(
            reach[3],
            marker(
                "python_full_version < '3.14' and (sys_platform == 'linux' or sys_platform == 'win32')"
            )
        );
        assert!(reach[4].is_false());
        assert!(!graph.has_parent(4) && graph.has_parent(3));
    }

    #[test]
    fn cycles_settle() {
        // root -> a (linux) -> b -> a, and root -> b (win32): both end up on linux or win32.
        let mut graph = Graph::new(3);
        graph.root(0);
        graph.edge(0, 1, marker("sys_platform == 'linux'"));
        graph.edge(1, 2, MarkerTree::TRUE);
        graph.edge(2, 1, MarkerTree::TRUE);
        graph.edge(0, 2, marker("sys_platform == 'win32'"));
        let reach = graph.reach().unwrap();
        let either = marker("sys_platform == 'linux' or sys_platform == 'win32'");
        assert_eq!(reach[1], either);
        assert_eq!(reach[2], either);
    }

    #[test]
    fn a_cycle_no_root_reaches_stays_unreached() {
        let mut graph = Graph::new(3);
        graph.root(0);
        graph.edge(1, 2, MarkerTree::TRUE);
        graph.edge(2, 1, MarkerTree::TRUE);
        let reach = graph.reach().unwrap();
        assert!(reach[1].is_false() && reach[2].is_false());
    }

    #[test]
    fn an_unconditional_path_wins() {
        let mut graph = Graph::new(3);
        graph.root(0);
        graph.edge(0, 1, marker("os_name == 'nt'"));
        graph.edge(0, 2, MarkerTree::TRUE);
        graph.edge(2, 1, MarkerTree::TRUE);
        assert!(graph.reach().unwrap()[1].is_true());
    }

    #[test]
    fn a_long_chain_of_distinct_markers_settles_within_the_bound() {
        // Each step narrows by one more Python bound: every node grows once.
        let nodes = 200;
        let mut graph = Graph::new(nodes);
        graph.root(0);
        for node in 1..nodes {
            graph.edge(
                node - 1,
                node,
                marker(&format!("python_full_version < '3.{}'", 400 - node)),
            );
        }
        let reach = graph.reach().unwrap();
        assert_eq!(show(&reach[nodes - 1]), "python_full_version < '3.201'");
    }
}
