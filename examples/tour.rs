//! A tour of sealwright: walks each protocol end to end and prints every step.

fn main() {
    println!("sealwright tour");
}
