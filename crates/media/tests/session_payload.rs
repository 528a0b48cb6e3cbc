//! What the mixer puts on the wire for a G.711 leg: found by the load
//! tool, whose receiver saw 1,287-byte PCMU packets from the mixed path.

use media::session::{Hearing, MediaPath};

use crate::session::Sim;

#[test]
fn mixed_g711_packets_carry_one_20_ms_frame_of_payload() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    let supervisor = sim.add_peer(1_100.0, false);
    sim.media.set_hearing(Hearing::Barge { caller, agent, supervisor }, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Mix);
    sim.run(20);
    for leg in [caller, agent, supervisor] {
        let got = &sim.peers[sim.peer(leg)].got;
        assert!(!got.is_empty(), "the mixer sends to every leg");
        assert!(got.iter().all(|g| g.payload.len() == 160), "160 bytes of μ-law, not the encoder's whole buffer");
    }
}
