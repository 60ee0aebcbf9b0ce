fn main() {
    println!("sealmail: not yet");
}
