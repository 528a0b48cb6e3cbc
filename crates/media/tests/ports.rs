//! RTP port pairs from a range.

use media::ports::{PortError, PortPair, PortPool};

#[test]
fn pairs_are_even_rtp_ports_with_rtcp_on_the_next_odd_port_inside_the_range() {
    let mut pool = PortPool::new(20_001, 20_010).expect("range");
    assert_eq!(pool.total(), 4, "20002/3, 20004/5, 20006/7, 20008/9 (20010's 20011 is outside)");
    let pair = pool.take().expect("pair");
    assert_eq!((pair.rtp, pair.rtcp()), (20_002, 20_003));
}

#[test]
fn exhausted_range_is_an_error_and_a_returned_pair_is_used_last() {
    let mut pool = PortPool::new(30_000, 30_005).expect("range");
    let (a, b, c) = (pool.take().expect("a"), pool.take().expect("b"), pool.take().expect("c"));
    assert_eq!(pool.take(), Err(PortError::Exhausted(3)));
    pool.give_back(b);
    pool.give_back(a);
    assert_eq!(pool.take(), Ok(b), "least recently used first");
    assert_eq!(pool.take(), Ok(a));
    assert_eq!(pool.free(), 0);
    let _ = c;
}

#[test]
fn foreign_or_twice_returned_pairs_are_ignored() {
    let mut pool = PortPool::new(30_000, 30_003).expect("range");
    let a = pool.take().expect("a");
    pool.give_back(a);
    pool.give_back(a);
    pool.give_back(PortPair { rtp: 40_000 });
    pool.give_back(PortPair { rtp: 30_001 });
    assert_eq!(pool.free(), 2, "each pair once, strangers ignored");
}

#[test]
fn a_range_without_a_pair_is_refused() {
    assert!(matches!(PortPool::new(30_001, 30_001), Err(PortError::EmptyRange { .. })));
    assert!(matches!(PortPool::new(30_010, 30_000), Err(PortError::EmptyRange { .. })));
    assert!(PortPool::new(65_534, 65_535).is_ok());
}
